using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PageDb.Sql.Values;

namespace PageDb.Sql.Tests.SqlLogic;

/// <summary>
/// Runs sqllogictest records on a fresh in-memory PageDb database through the ADO.NET provider, with the corpus's rules: result values formatted
/// by column type (integers, reals with three decimals, NULL, (empty), non-printable bytes as @), sorted by the
/// record's sort mode, compared as values or as an MD5 hash, labels giving the same result, and a query that fails
/// counting as returning no rows.
/// </summary>
public sealed class SqlLogicRunner : IDisposable
{
    private const int KeptFailures = 20;
    private readonly SqlLogicConnection _connection = new();
    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal);

    /// <summary>Runs the records of <paramref name="path"/> that apply to PageDb.</summary>
    public SqlLogicResult RunFile(string path, string name)
    {
        (List<SqlLogicRecord> records, int skipped) = SqlLogicFile.Read(path);
        var result = new SqlLogicResult(name) { Skipped = skipped };
        foreach (SqlLogicRecord record in records)
        {
            result.Run++;
            string? failure = RunRecord(record, out bool crashed);
            if (failure is null)
            {
                result.Passed++;
                continue;
            }
            if (crashed)
                result.Crashes++;
            if (result.Failures.Count < KeptFailures)
                result.Failures.Add($"line {record.Line}: {failure}\n    {record.Sql.Replace("\n", "\n    ", StringComparison.Ordinal)}");
        }
        return result;
    }

    /// <summary>Null when the record passed, else why it failed.</summary>
    private string? RunRecord(SqlLogicRecord record, out bool crashed)
    {
        crashed = false;
        if (!record.IsQuery)
        {
            try
            {
                _connection.Execute(record.Sql);
                return record.ExpectError ? "the statement succeeded but an error was expected" : null;
            }
            catch (PageDbException e)
            {
                return record.ExpectError ? null : $"statement failed: {e.Message}";
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                crashed = true;
                return $"statement threw {e.GetType().Name}: {e.Message}";
            }
        }
        List<string> values = [];
        string? error = null;
        try
        {
            values = Format(_connection.Query(record.Sql), record.Types);
        }
        catch (PageDbException e)
        {
            error = e.Message;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            crashed = true;
            return $"query threw {e.GetType().Name}: {e.Message}";
        }
        Sort(values, record.Types.Length, record.Sort);
        string hash = Hash(values);
        if (record.Label is not null)
        {
            if (_labels.TryGetValue(record.Label, out string? earlier) && earlier != hash)
                return $"label {record.Label} gave a different result than before";
            _labels[record.Label] = hash;
        }
        bool hashed = record.Expected.Count == 1 && record.Expected[0].Contains(" values hashing to ", StringComparison.Ordinal);
        bool same = hashed ? record.Expected[0] == hash : values.SequenceEqual(record.Expected);
        if (same)
            return null;
        string got = hashed || values.Count > 12 ? hash : string.Join(' ', values);
        string want = hashed || record.Expected.Count > 12 ? record.Expected[0] : string.Join(' ', record.Expected);
        return $"expected [{want}] got [{got}]" + (error is null ? "" : $" (error: {error})");
    }

    private static List<string> Format(List<SqlValue[]> rows, string types)
    {
        var values = new List<string>();
        foreach (SqlValue[] row in rows)
        {
            for (int i = 0; i < row.Length; i++)
                values.Add(FormatValue(row[i], i < types.Length ? types[i] : 'T'));
        }
        return values;
    }

    /// <summary>A value as the reference runner prints it for a column of type <paramref name="type"/>.</summary>
    public static string FormatValue(SqlValue value, char type)
    {
        if (value.IsNull)
            return "NULL";
        switch (type)
        {
            case 'I':
                return value.ToInteger().ToString(CultureInfo.InvariantCulture);
            case 'R':
                return FormatReal(value.ToReal());
            default:
                string text = value.ToText()!;
                if (text.Length == 0)
                    return "(empty)";
                var printable = new StringBuilder(text.Length);
                foreach (byte b in Encoding.UTF8.GetBytes(text))
                    printable.Append(b is < 0x20 or > 0x7e ? '@' : (char)b);
                return printable.ToString();
        }
    }

    /// <summary>
    /// <c>%.3f</c> as SQLite's printf writes it: at most 16 significant digits, so a large value ends in zeros
    /// (-9223372036854775808.0 prints as -9223372036854776000.000).
    /// </summary>
    private static string FormatReal(double value)
    {
        if (!double.IsFinite(value) || Math.Abs(value) < 1e16)
            return value.ToString("F3", CultureInfo.InvariantCulture);
        string scientific = value.ToString("E15", CultureInfo.InvariantCulture);
        int e = scientific.IndexOf('E', StringComparison.Ordinal);
        int exponent = int.Parse(scientific.AsSpan(e + 1), CultureInfo.InvariantCulture);
        string digits = scientific[..e].Replace(".", "", StringComparison.Ordinal).TrimStart('-');
        string integer = digits.PadRight(exponent + 1, '0');
        return (value < 0 ? "-" : "") + integer + ".000";
    }

    private static void Sort(List<string> values, int columns, string mode)
    {
        if (mode == "valuesort")
        {
            values.Sort(string.CompareOrdinal);
            return;
        }
        if (mode != "rowsort" || columns == 0)
            return;
        var rows = new List<string[]>();
        for (int i = 0; i + columns <= values.Count; i += columns)
            rows.Add(values.GetRange(i, columns).ToArray());
        rows.Sort((x, y) =>
        {
            for (int i = 0; i < x.Length; i++)
            {
                int order = string.CompareOrdinal(x[i], y[i]);
                if (order != 0)
                    return order;
            }
            return 0;
        });
        values.Clear();
        foreach (string[] row in rows)
            values.AddRange(row);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "The corpus's expected results are MD5 digests; nothing is secured by it.")]
    private static string Hash(List<string> values)
    {
        var text = new StringBuilder();
        foreach (string value in values)
            text.Append(value).Append('\n');
        byte[] digest = MD5.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return $"{values.Count} values hashing to {Convert.ToHexStringLower(digest)}";
    }

    /// <summary>Closes the connection and its database.</summary>
    public void Dispose() => _connection.Dispose();
}
