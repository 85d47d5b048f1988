namespace PageDb.Samples.QuickStart;

/// <summary>Prints the database's size and cache figures after a checkpoint, and checks its integrity.</summary>
internal static class DatabaseReport
{
    public static void Print(PageDatabase db, AnswerCheck check)
    {
        db.Checkpoint(CheckpointMode.Truncate);
        DatabaseStats stats = db.GetStats();
        Console.WriteLine($"Pages: {stats.PageCount:N0} of {stats.PageSize:N0} bytes ({new FileInfo(db.Path).Length:N0} bytes on disk), " +
            $"{stats.FreePages:N0} free, {stats.TreeCount} trees; WAL {stats.WalBytes:N0} bytes after a checkpoint");
        Console.WriteLine("Pages by type: " + string.Join(", ", stats.PagesByType.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value:N0}")));
        Console.WriteLine($"Cache: {stats.CacheHits:N0} hits, {stats.CacheMisses:N0} misses, {stats.CacheEvictions:N0} evictions");
        IntegrityReport report = db.CheckIntegrity();
        Console.WriteLine($"Integrity: {report}");
        check.That(report.IsOk, "integrity check", report.ToString);
    }
}
