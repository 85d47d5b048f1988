using System.Globalization;
using System.Text;

namespace PageDb.Replication;

/// <summary>
/// The replica status file, <c>name.pagedb-replica-status</c> beside the database: the replicator of the process
/// that writes the database publishes its lag there, so <c>pagedb stats</c> in another process can show it. Advisory:
/// written through a temporary file renamed over it (no fsync), deleted on a clean close, replaced at the next open.
/// One session publishes there (<see cref="TryClaim"/>): the first started on the open database, which is the one
/// <see cref="PageDbOptions.Replication"/> starts when set; another session started on the same open database
/// (<see cref="IDatabaseReplication.Start"/> is public) publishes nothing, and neither deletes nor overwrites it. A
/// claim belongs to its open: a session of an earlier open of the path, left running after its database closed, is
/// taken over by the next open's first session, and from then on writes nothing there and deletes nothing.
/// <para>
/// Layout (docs/FORMAT.md, "Replica status file"): UTF-8 text, at most <see cref="MaxBytes"/> bytes, one
/// <c>key value</c> line each, in this order, LF-terminated; times ISO 8601 round-trip ("O") in UTC, <c>-</c> for none:
/// <code>
/// pagedb-replica-status 1
/// written-at {time}
/// generation {name or -}
/// lag-commits {integer, -1 = no generation stored}
/// lag-bytes {integer}
/// behind-since {time or -}
/// last-shipped-at {time or -}
/// last-error {text to the end of the line, or nothing}
/// resume {text to the end of the line, or nothing}
/// </code>
/// Invariants the reader checks (anything else is "unreadable", never an exception): the size bound, the first line
/// exactly, every key present once in this order, the numbers and times parse. The last key, <c>resume</c>, came later
/// and may be missing (a file written before it). The texts are written on one line and cut to
/// <see cref="MaxErrorLength"/> characters (the resume note to <see cref="MaxResumeLength"/>), so the file stays
/// within the bound; control characters read back are shown as '?'.
/// </para>
/// </summary>
internal static class ReplicaStatusFile
{
    /// <summary>The largest status file read; a longer one is unreadable.</summary>
    public const int MaxBytes = 4096;

    /// <summary>The longest error text written.</summary>
    public const int MaxErrorLength = 1000;

    /// <summary>The longest resume note written.</summary>
    public const int MaxResumeLength = 600;

    private const string FirstLine = "pagedb-replica-status 1";
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(1);
    private static readonly string[] Keys = ["written-at", "generation", "lag-commits", "lag-bytes", "behind-since", "last-shipped-at", "last-error"];
    private const string ResumeKey = "resume"; // after Keys, and optional: files written before it lack it

    // Status file path -> the open database whose session publishes there, and that session. Keyed by path, as the
    // file is, and process-wide: only the process holding a database's writer lock replicates it. One open of a path
    // writes it at a time (the writer lock refuses a second open in this process too), so a claim by another database
    // than the one claiming is an earlier open's, closed since. Under PublishersLock.
    private static readonly Dictionary<string, (object Database, object Session)> Publishers = new(StringComparer.Ordinal);
    private static readonly Lock PublishersLock = new();

    /// <summary>The status file of the database at <paramref name="databasePath"/>.</summary>
    public static string PathFor(string databasePath) => Path.GetFullPath(databasePath) + "-replica-status";

    /// <summary>
    /// Makes <paramref name="session"/>, of the open database <paramref name="database"/>, the one that publishes to
    /// <paramref name="path"/> until it calls <see cref="Release"/>; false when another session of the same open
    /// database has it. A claim of an earlier open of the path (closed: one open writes a path at a time) is taken over.
    /// </summary>
    public static bool TryClaim(string path, object database, object session)
    {
        lock (PublishersLock)
        {
            if (Publishers.TryGetValue(path, out (object Database, object Session) claim) && ReferenceEquals(claim.Database, database))
                return false;
            Publishers[path] = (database, session);
            return true;
        }
    }

    /// <summary>True while <paramref name="session"/> has the claim on <paramref name="path"/> (not taken over since).</summary>
    public static bool IsClaimedBy(string path, object session)
    {
        lock (PublishersLock)
            return Publishers.TryGetValue(path, out (object Database, object Session) claim) && ReferenceEquals(claim.Session, session);
    }

    /// <summary>
    /// Deletes the file at <paramref name="path"/> and lets the claim go, if <paramref name="session"/> still has it; else
    /// (a later open's session took it over) leaves both alone.
    /// </summary>
    public static void Release(string path, object session)
    {
        lock (PublishersLock)
        {
            if (!Publishers.TryGetValue(path, out (object Database, object Session) claim) || !ReferenceEquals(claim.Session, session))
                return;
            Delete(path); // under the lock: a new claimant's file is never the one deleted
            Publishers.Remove(path);
        }
    }

    /// <summary>Replaces the file at <paramref name="path"/> with <paramref name="status"/> (temporary file, then rename).</summary>
    /// <exception cref="IOException">The directory could not be written.</exception>
    public static void Write(string path, ReplicaStatus status)
    {
        string error = OneLine(status.LastError, MaxErrorLength);
        string text = string.Create(CultureInfo.InvariantCulture,
            $"""
            {FirstLine}
            written-at {Time(status.WrittenAt)}
            generation {status.Generation ?? "-"}
            lag-commits {status.LagCommits}
            lag-bytes {status.LagBytes}
            behind-since {Time(status.BehindSince)}
            last-shipped-at {Time(status.LastShippedAt)}
            last-error {error}
            {ResumeKey} {OneLine(status.Resume, MaxResumeLength)}

            """).ReplaceLineEndings("\n");
        string temporary = path + ".tmp"; // only the process holding the writer lock writes here
        File.WriteAllText(temporary, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temporary, path, overwrite: true);
    }

    private static string OneLine(string? text, int maxLength)
    {
        string line = text is null ? "" : text.ReplaceLineEndings(" ");
        return line.Length > maxLength ? line[..maxLength] : line;
    }

    /// <summary>Deletes the file at <paramref name="path"/> if there is one; failures are ignored (it is advisory).</summary>
    public static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Reads the file at <paramref name="path"/>: the status, or null with <paramref name="unreadable"/> saying why
    /// (also null, with a null reason, when there is no file). Never throws; gives up after a second (a FIFO, a
    /// stuck network mount) and reads at most <see cref="MaxBytes"/> + 1 bytes.
    /// </summary>
    public static ReplicaStatus? TryRead(string path, out string? unreadable)
    {
        unreadable = null;
        if (!File.Exists(path))
            return null;
        byte[]? bytes = null;
        string? failure = null;
        var reader = new Thread(() => (bytes, failure) = ReadBounded(path)) { IsBackground = true, Name = "PageDb replica status reader" };
        reader.Start();
        if (!reader.Join(ReadTimeout))
            failure = $"not read within {ReadTimeout.TotalSeconds:0} s (is it a regular file?)";
        if (failure is not null || bytes is null)
        {
            unreadable = failure ?? "not read";
            return null;
        }
        return Parse(Encoding.UTF8.GetString(bytes), out unreadable);
    }

    private static (byte[]? Bytes, string? Failure) ReadBounded(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new byte[MaxBytes + 1];
            int length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return length > MaxBytes ? (null, $"larger than {MaxBytes} bytes") : (buffer[..length], null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, e.Message);
        }
    }

    private static ReplicaStatus? Parse(string text, out string? unreadable)
    {
        string[] lines = text.Split('\n');
        unreadable = $"not a version 1 status file (the first line must be \"{FirstLine}\")";
        if (lines.Length < Keys.Length + 1 || lines[0] != FirstLine)
            return null;
        var values = new string[Keys.Length];
        for (int i = 0; i < Keys.Length; i++)
        {
            string line = lines[i + 1];
            if (!line.StartsWith(Keys[i] + " ", StringComparison.Ordinal))
            {
                unreadable = $"line {i + 2} is not \"{Keys[i]} ...\"";
                return null;
            }
            values[i] = line[(Keys[i].Length + 1)..];
        }
        if (!TryTime(values[0], out DateTimeOffset? writtenAt) || writtenAt is null
            || !long.TryParse(values[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long lagCommits) || lagCommits < -1
            || !long.TryParse(values[3], NumberStyles.None, CultureInfo.InvariantCulture, out long lagBytes)
            || !TryTime(values[4], out DateTimeOffset? behindSince) || !TryTime(values[5], out DateTimeOffset? lastShippedAt))
        {
            unreadable = "a number or time does not parse";
            return null;
        }
        string? resume = lines.Length > Keys.Length + 1 && lines[Keys.Length + 1].StartsWith(ResumeKey + " ", StringComparison.Ordinal)
            ? lines[Keys.Length + 1][(ResumeKey.Length + 1)..] : "";
        unreadable = null;
        return new ReplicaStatus(writtenAt.Value, values[1] == "-" ? null : Printable(values[1]), lagCommits, lagBytes,
            behindSince, lastShippedAt, values[6].Length == 0 ? null : Printable(values[6]), resume.Length == 0 ? null : Printable(resume));
    }

    private static string Time(DateTimeOffset? time) => time is { } t ? t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) : "-";

    private static bool TryTime(string value, out DateTimeOffset? time)
    {
        time = null;
        if (value == "-")
            return true;
        if (!DateTimeOffset.TryParseExact(value, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed))
            return false;
        time = parsed;
        return true;
    }

    /// <summary>The text with control characters (a hostile file's terminal escapes) shown as '?'.</summary>
    private static string Printable(string text)
    {
        string cut = text.Length > MaxErrorLength ? text[..MaxErrorLength] : text;
        return string.Create(cut.Length, cut, (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
        });
    }
}
