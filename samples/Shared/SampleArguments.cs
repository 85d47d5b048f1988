using System.Globalization;

namespace PageDb.Samples;

/// <summary>
/// The command line every sample takes: an optional folder for its database file (a new temporary folder when
/// omitted), then <c>--name value</c> options with whole-number values. Anything else is refused with one line saying
/// what was wrong, followed by the sample's usage.
/// </summary>
internal sealed class SampleArguments
{
    private readonly Dictionary<string, long> _values;

    private SampleArguments(string folder, Dictionary<string, long> values)
    {
        Folder = folder;
        _values = values;
    }

    /// <summary>Where the sample keeps its database file.</summary>
    public string Folder { get; }

    /// <summary>The value of option <paramref name="name"/>, given or default.</summary>
    public long this[string name] => _values[name];

    /// <summary>Parses <paramref name="args"/>; on bad input prints the problem and <paramref name="usage"/> to stderr and returns null.</summary>
    public static SampleArguments? Parse(string[] args, string usage, params SampleOption[] options)
    {
        try
        {
            return ParseOrThrow(args, options);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("usage: " + usage);
            return null;
        }
    }

    /// <summary>
    /// The path of <paramref name="fileName"/> in <see cref="Folder"/>, which is created when missing; a database and
    /// WAL left there by an earlier run are deleted so every run starts from the same empty file.
    /// </summary>
    public string FreshDatabasePath(string fileName)
    {
        Directory.CreateDirectory(Folder);
        string path = Path.Combine(Folder, fileName);
        File.Delete(path);
        File.Delete(path + "-wal");
        return path;
    }

    private static SampleArguments ParseOrThrow(string[] args, SampleOption[] options)
    {
        var values = options.ToDictionary(o => o.Name, o => o.Default);
        string? folder = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                folder = folder is null ? args[i] : throw new FormatException($"One folder at most; '{folder}' and '{args[i]}' were given.");
                continue;
            }
            SampleOption option = Array.Find(options, o => "--" + o.Name == args[i])
                ?? throw new FormatException($"Unknown option '{args[i]}'.");
            string text = i + 1 < args.Length ? args[++i] : throw new FormatException($"Option '{args[i]}' needs a value.");
            values[option.Name] = ParseValue(option, text);
        }
        return new SampleArguments(folder ?? Directory.CreateTempSubdirectory("pagedb-sample-").FullName, values);
    }

    private static long ParseValue(SampleOption option, string text)
    {
        if (!long.TryParse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out long value) || value < option.Min || value > option.Max)
            throw new FormatException($"--{option.Name} takes a whole number from {option.Min:N0} to {option.Max:N0}; '{text}' was given.");
        return value;
    }
}
