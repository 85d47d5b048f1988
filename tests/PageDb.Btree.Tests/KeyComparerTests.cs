using PageDb.Btree;
using PageDb.Testing;

namespace PageDb.Btree.Tests;

/// <summary>
/// <see cref="KeyComparer.Compare"/> (a fast path over the leading 8 bytes, shorter keys padded) orders every pair of keys as the plain
/// unsigned byte-wise comparison does: random keys of 1 to 20 bytes drawn from few byte values, so shared prefixes of
/// every length, equal heads with different tails and proper prefixes all occur.
/// </summary>
[TestFixture]
public class KeyComparerTests
{
    [Test]
    public void Orders_every_pair_as_the_byte_wise_comparison()
    {
        int seed = TestSeed.Next();
        string why = TestSeed.Describe(seed);
        var random = new Random(seed);
        for (int i = 0; i < 200_000; i++)
        {
            byte[] left = RandomKey(random);
            byte[] right = random.Next(4) == 0 ? (byte[])left.Clone() : RandomKey(random);
            if (random.Next(4) == 0 && right.Length > 1)
                right = right[..^1]; // a proper prefix of a key like left
            int expected = Math.Sign(left.AsSpan().SequenceCompareTo(right));
            Assert.That(Math.Sign(KeyComparer.Compare(left, right)), Is.EqualTo(expected),
                $"{why}: {Convert.ToHexString(left)} vs {Convert.ToHexString(right)}");
        }
    }

    private static byte[] RandomKey(Random random)
    {
        byte[] key = new byte[random.Next(1, 21)];
        for (int i = 0; i < key.Length; i++)
            key[i] = (byte)(random.Next(3) switch { 0 => 0x00, 1 => 0x80, _ => 0xFF });
        return key;
    }
}
