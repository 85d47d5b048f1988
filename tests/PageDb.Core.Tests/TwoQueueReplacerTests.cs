using NUnit.Framework;
using PageDb.Core.Buffers;
using PageDb.Testing;

namespace PageDb.Core.Tests;

[TestFixture]
public sealed class TwoQueueReplacerTests
{
    private static readonly AllEvictable Everything = new();

    [Test]
    public void A_first_access_enters_probation_and_a_second_promotes_to_protected()
    {
        var replacer = new TwoQueueReplacer(8);
        replacer.RecordAccess(3);
        Assert.That((replacer.ProbationCount, replacer.ProtectedCount), Is.EqualTo((1, 0)));
        replacer.RecordAccess(3);
        Assert.That((replacer.ProbationCount, replacer.ProtectedCount), Is.EqualTo((0, 1)));
        replacer.RecordAccess(3);
        Assert.That((replacer.ProbationCount, replacer.ProtectedCount), Is.EqualTo((0, 1)));
        Assert.That(replacer.Contains(3) && !replacer.Contains(2), Is.True);
        replacer.Verify();
    }

    [Test]
    public void Victims_come_from_probation_in_arrival_order_while_it_holds_over_a_quarter()
    {
        var replacer = new TwoQueueReplacer(8);
        Access(replacer, 0, 0, 1, 1);  // protected: 0, 1
        Access(replacer, 5, 4, 6);     // probation: 5, 4, 6 (3 of 5 tracked)
        replacer.RecordAccess(1);      // a hit in protected does not change probation's order
        Assert.That(replacer.ChooseVictim(Everything), Is.EqualTo(5));
        Assert.That(replacer.ChooseVictim(Everything), Is.EqualTo(4)); // probation 2 of 4: still over a quarter
        replacer.Verify();
        // probation 1 of 3 is over a quarter too; then 0 of 2 leaves only protected, least recently used first.
        Assert.That(replacer.ChooseVictim(Everything), Is.EqualTo(6));
        Assert.That(replacer.ChooseVictim(Everything), Is.EqualTo(0));
        Assert.That(replacer.ChooseVictim(Everything), Is.EqualTo(1));
        Assert.That(replacer.ChooseVictim(Everything), Is.EqualTo(-1));
        replacer.Verify();
    }

    [Test]
    public void Protected_is_evicted_least_recently_used_first_once_probation_is_a_quarter_or_less()
    {
        var replacer = new TwoQueueReplacer(8);
        Access(replacer, 0, 0, 1, 1, 2, 2); // protected: 0, 1, 2
        Access(replacer, 7);                // probation: 7 (1 of 4: exactly a quarter)
        replacer.RecordAccess(0);           // protected LRU order: 1, 2, 0
        Assert.That(replacer.ChooseVictim(Everything), Is.EqualTo(1));
        // probation now 1 of 3, over a quarter: the probation frame goes next.
        Assert.That(replacer.ChooseVictim(Everything), Is.EqualTo(7));
        Assert.That(replacer.ChooseVictim(Everything), Is.EqualTo(2));
        Assert.That(replacer.ChooseVictim(Everything), Is.EqualTo(0));
        replacer.Verify();
    }

    [Test]
    public void Frames_that_are_not_evictable_are_skipped_and_the_other_queue_serves()
    {
        var replacer = new TwoQueueReplacer(8);
        Access(replacer, 0, 0);   // protected: 0
        Access(replacer, 1, 2);   // probation: 1, 2
        var candidates = new SetCandidates(0, 2);
        Assert.That(replacer.ChooseVictim(candidates), Is.EqualTo(2));
        candidates.Evictable.Clear();
        candidates.Evictable.Add(0);
        Assert.That(replacer.ChooseVictim(candidates), Is.EqualTo(0), "probation's only frame is pinned: protected serves");
        Assert.That(replacer.ChooseVictim(new SetCandidates()), Is.EqualTo(-1));
        Assert.That((replacer.ProbationCount, replacer.ProtectedCount), Is.EqualTo((1, 0)), "a failed choice changes nothing");
        replacer.Verify();
    }

    [Test]
    public void Remove_stops_tracking_and_ignores_untracked_frames()
    {
        var replacer = new TwoQueueReplacer(4);
        Access(replacer, 0, 1, 1, 2);
        replacer.Remove(1);
        replacer.Remove(1);
        replacer.Remove(3);
        Assert.That((replacer.ProbationCount, replacer.ProtectedCount), Is.EqualTo((2, 0)));
        replacer.RecordAccess(1);
        Assert.That(replacer.ProbationCount, Is.EqualTo(3), "a removed frame starts over in probation");
        replacer.Verify();
    }

    [Test]
    public void Randomized_operations_match_the_two_list_model()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        int steps = TestSeed.LongRun ? 200_000 : 20_000;
        for (int round = 0; round < steps / 2_000; round++)
        {
            int capacity = random.Next(1, 40);
            var replacer = new TwoQueueReplacer(capacity);
            var model = new TwoQueueModel();
            for (int step = 0; step < 2_000; step++)
                RandomStep(replacer, model, random, capacity, $"{TestSeed.Describe(seed)}, round {round}, step {step}");
        }
    }

    private static void RandomStep(TwoQueueReplacer replacer, TwoQueueModel model, Random random, int capacity, string where)
    {
        int roll = random.Next(10);
        if (roll < 5)
        {
            int frame = random.Next(capacity);
            replacer.RecordAccess(frame);
            model.RecordAccess(frame);
        }
        else if (roll < 7)
        {
            int frame = random.Next(capacity);
            replacer.Remove(frame);
            model.Remove(frame);
        }
        else
        {
            var candidates = new SetCandidates();
            double share = random.NextDouble();
            for (int frame = 0; frame < capacity; frame++)
            {
                if (random.NextDouble() < share)
                    candidates.Evictable.Add(frame);
            }
            Assert.That(replacer.ChooseVictim(candidates), Is.EqualTo(model.ChooseVictim(candidates.Evictable)), where);
        }
        replacer.Verify();
        Assert.That((replacer.ProbationCount, replacer.ProtectedCount), Is.EqualTo((model.Probation.Count, model.Protected.Count)), where);
        int probe = random.Next(capacity);
        Assert.That(replacer.Contains(probe), Is.EqualTo(model.Contains(probe)), where);
    }

    private static void Access(TwoQueueReplacer replacer, params int[] frames)
    {
        foreach (int frame in frames)
            replacer.RecordAccess(frame);
    }

    private sealed class AllEvictable : IEvictionCandidates
    {
        public bool IsEvictable(int frame) => true;
    }

    private sealed class SetCandidates(params int[] frames) : IEvictionCandidates
    {
        public HashSet<int> Evictable { get; } = [.. frames];

        public bool IsEvictable(int frame) => Evictable.Contains(frame);
    }
}
