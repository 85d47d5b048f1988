namespace PageDb.Sql.Tests.SqlLogic;

/// <summary>The outcome of running (part of) one sqllogictest file.</summary>
public sealed class SqlLogicResult(string file)
{
    /// <summary>The file, relative to the corpus folder.</summary>
    public string File { get; } = file;

    /// <summary>Records run.</summary>
    public int Run { get; set; }

    /// <summary>Records that passed.</summary>
    public int Passed { get; set; }

    /// <summary>Records skipped by skipif/onlyif.</summary>
    public int Skipped { get; set; }

    /// <summary>Records that failed, with why (the first few kept in full).</summary>
    public List<string> Failures { get; } = [];

    /// <summary>Failures whose exception was not a PageDb one (a crash, not a wrong answer).</summary>
    public int Crashes { get; set; }

    /// <summary>One line for the log.</summary>
    public override string ToString() => $"{File}: {Passed}/{Run} passed ({Run - Passed} failed, {Crashes} crashes, {Skipped} skipped)";
}
