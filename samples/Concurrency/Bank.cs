using System.Buffers.Binary;
using System.Text;

namespace PageDb.Samples.Concurrency;

/// <summary>What one snapshot of the bank holds: every balance, and how many transfers had been committed.</summary>
internal sealed record BankSnapshot(long[] Balances, long Transfers)
{
    public long Total => Balances.Sum();

    public bool SameAs(BankSnapshot other) => Transfers == other.Transfers && Balances.AsSpan().SequenceEqual(other.Balances);
}

/// <summary>
/// A bank kept in one key-value tree: "account:NNNNNN" keys holding balances, and a "transfers" key counting the
/// committed transfers. A transfer moves money between two accounts and bumps the counter in one transaction, so
/// every snapshot must show the same total and a counter that matches the history it contains.
/// </summary>
internal static class Bank
{
    private const string TreeName = "bank";
    private const string AccountPrefix = "account:";
    private static readonly byte[] TransfersKey = Encoding.UTF8.GetBytes("transfers");

    /// <summary>Creates <paramref name="accounts"/> accounts holding <paramref name="balance"/> each.</summary>
    public static void Open(PageDatabase db, int accounts, long balance)
    {
        using WriteTransaction tx = db.BeginWrite();
        Tree bank = tx.CreateTree(TreeName);
        for (int i = 0; i < accounts; i++)
            bank.Put(AccountKey(i), Encode(balance));
        bank.Put(TransfersKey, Encode(0));
        tx.Commit();
    }

    /// <summary>Moves up to <paramref name="amount"/> (never more than the payer has) from one account to another.</summary>
    public static void Transfer(WriteTransaction tx, int from, int to, long amount)
    {
        Tree bank = tx.GetTree(TreeName);
        long payer = Read(bank, AccountKey(from));
        long moved = Math.Min(amount, payer);
        bank.Put(AccountKey(from), Encode(payer - moved));
        bank.Put(AccountKey(to), Encode(Read(bank, AccountKey(to)) + moved));
        bank.Put(TransfersKey, Encode(Read(bank, TransfersKey) + 1));
    }

    /// <summary>Every balance (by a cursor over the accounts) and the transfer counter, as <paramref name="tx"/> sees them.</summary>
    public static BankSnapshot Read(ReadTransaction tx)
    {
        Tree bank = tx.GetTree(TreeName);
        byte[] prefix = Encoding.UTF8.GetBytes(AccountPrefix);
        var balances = new List<long>();
        using Cursor cursor = bank.OpenCursor();
        for (bool more = cursor.Seek(prefix); more && cursor.Key.StartsWith(prefix); more = cursor.Next())
            balances.Add(BinaryPrimitives.ReadInt64LittleEndian(cursor.Value));
        return new BankSnapshot([.. balances], Read(bank, TransfersKey));
    }

    private static byte[] AccountKey(int account) => Encoding.UTF8.GetBytes($"{AccountPrefix}{account:D6}");

    private static long Read(Tree bank, byte[] key) =>
        BinaryPrimitives.ReadInt64LittleEndian(bank.Get(key) ?? throw new InvalidOperationException($"The bank has no key '{Encoding.UTF8.GetString(key)}'."));

    private static byte[] Encode(long value)
    {
        var bytes = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }
}
