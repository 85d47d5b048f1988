using NUnit.Framework;
using PageDb.Core.Buffers;
using PageDb.Testing;

namespace PageDb.Core.Tests;

public class TwoQueueReplacerTests
{
    [Test]
    public void Random_operations_match_a_two_list_reference()
    {
        int seed = TestSeed.Next();
        var rng = new Random(seed);
        const int Capacity = 64;
        var replacer = new TwoQueueReplacer(Capacity);
        var probation = new List<int>(); // oldest first
        var protectedQueue = new List<int>(); // least recently used first
        var evictable = new SetCandidates();
        for (int step = 0; step < 20_000; step++)
        {
            int frame = rng.Next(Capacity);
            switch (rng.Next(10))
            {
                case < 5:
                    replacer.RecordAccess(frame);
                    if (probation.Remove(frame) | protectedQueue.Remove(frame))
                        protectedQueue.Add(frame);
                    else
                        probation.Add(frame);
                    break;
                case < 7:
                    replacer.Remove(frame);
                    probation.Remove(frame);
                    protectedQueue.Remove(frame);
                    break;
                default:
                    evictable.Frames.Clear();
                    for (int i = 0; i < Capacity; i++)
                    {
                        if (rng.Next(3) != 0)
                            evictable.Frames.Add(i);
                    }
                    int expected = ReferenceVictim(probation, protectedQueue, evictable.Frames);
                    Assert.That(replacer.ChooseVictim(evictable), Is.EqualTo(expected), $"step {step}; {TestSeed.Describe(seed)}");
                    probation.Remove(expected);
                    protectedQueue.Remove(expected);
                    break;
            }
            Assert.That(replacer.ProbationCount, Is.EqualTo(probation.Count), $"step {step}; {TestSeed.Describe(seed)}");
            Assert.That(replacer.ProtectedCount, Is.EqualTo(protectedQueue.Count), $"step {step}; {TestSeed.Describe(seed)}");
        }
    }

    private static int ReferenceVictim(List<int> probation, List<int> protectedQueue, HashSet<int> evictable)
    {
        bool probationFirst = probation.Count * 4 > probation.Count + protectedQueue.Count || protectedQueue.Count == 0;
        List<int> first = probationFirst ? probation : protectedQueue;
        List<int> second = probationFirst ? protectedQueue : probation;
        foreach (int frame in first.Concat(second))
        {
            if (evictable.Contains(frame))
                return frame;
        }
        return -1;
    }

    private sealed class SetCandidates : IEvictionCandidates
    {
        public HashSet<int> Frames { get; } = [];

        public bool IsEvictable(int frame) => Frames.Contains(frame);
    }
}
