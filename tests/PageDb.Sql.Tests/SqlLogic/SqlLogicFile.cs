namespace PageDb.Sql.Tests.SqlLogic;

/// <summary>
/// Reads a sqllogictest file into records, applying the corpus's control lines: <c>skipif</c>/<c>onlyif</c> (PageDb
/// counts as <c>sqlite</c>) and <c>halt</c>. <c>hash-threshold</c> lines are read past: the expected result of a
/// record says itself whether it is a hash.
/// </summary>
public static class SqlLogicFile
{
    /// <summary>The engine name PageDb answers to in skipif/onlyif.</summary>
    public const string EngineName = "sqlite";

    /// <summary>The records of the file that apply to PageDb, and the number skipped.</summary>
    public static (List<SqlLogicRecord> Records, int Skipped) Read(string path)
    {
        string[] lines = File.ReadAllLines(path);
        var records = new List<SqlLogicRecord>();
        int skipped = 0, i = 0;
        while (i < lines.Length)
        {
            bool skip = false;
            while (i < lines.Length && (lines[i].StartsWith("skipif ", StringComparison.Ordinal) || lines[i].StartsWith("onlyif ", StringComparison.Ordinal)))
            {
                string engine = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
                bool isUs = engine == EngineName;
                skip |= lines[i].StartsWith("skipif", StringComparison.Ordinal) ? isUs : !isUs;
                i++;
            }
            if (i >= lines.Length)
                break;
            string line = lines[i];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                i++;
                continue;
            }
            if (line == "halt")
            {
                if (!skip)
                    break;
                i++;
                continue;
            }
            if (line.StartsWith("hash-threshold", StringComparison.Ordinal))
            {
                i++;
                continue;
            }
            SqlLogicRecord? record = ReadRecord(lines, ref i);
            if (record is null)
                continue;
            if (skip)
                skipped++;
            else
                records.Add(record);
        }
        return (records, skipped);
    }

    private static SqlLogicRecord? ReadRecord(string[] lines, ref int i)
    {
        int start = i;
        string[] head = lines[i++].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var sql = new List<string>();
        while (i < lines.Length && lines[i].Length > 0 && lines[i] != "----")
            sql.Add(lines[i++]);
        var expected = new List<string>();
        if (i < lines.Length && lines[i] == "----")
        {
            i++;
            while (i < lines.Length && lines[i].Length > 0)
                expected.Add(lines[i++]);
        }
        string text = string.Join('\n', sql);
        return head[0] switch
        {
            "statement" => new SqlLogicRecord(start + 1, text, false, head[1] == "error", "", "", null, []),
            "query" => new SqlLogicRecord(start + 1, text, true, false, head[1], head.Length > 2 ? head[2] : "nosort", head.Length > 3 ? head[3] : null, expected),
            _ => null,
        };
    }
}
