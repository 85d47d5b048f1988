using System.Data.Common;

namespace PageDb.Data;

/// <summary>The parsed connection string: <c>Data Source=&lt;path&gt;;Mode=...;Durability=...</c> (keys in any case).</summary>
internal sealed record ConnectionSettings(string DataSource, PageDbOpenMode Mode, Durability Durability)
{
    /// <summary>Parses <paramref name="connectionString"/>.</summary>
    /// <exception cref="ArgumentException">An unknown key or value, or no Data Source.</exception>
    public static ConnectionSettings Parse(string connectionString)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        string? source = null;
        PageDbOpenMode mode = PageDbOpenMode.ReadWriteCreate;
        Durability durability = Durability.Full;
        foreach (string key in builder.Keys)
        {
            string value = Convert.ToString(builder[key], System.Globalization.CultureInfo.InvariantCulture) ?? "";
            switch (key.ToUpperInvariant())
            {
                case "DATA SOURCE" or "DATASOURCE" or "FILENAME":
                    source = value;
                    break;
                case "MODE":
                    mode = ParseEnum<PageDbOpenMode>("Mode", value);
                    break;
                case "DURABILITY":
                    durability = ParseEnum<Durability>("Durability", value);
                    break;
                default:
                    throw new ArgumentException($"Unknown connection string keyword '{key}'.", nameof(connectionString));
            }
        }
        if (string.IsNullOrEmpty(source))
            throw new ArgumentException("The connection string needs a Data Source.", nameof(connectionString));
        return new ConnectionSettings(source, mode, durability);
    }

    private static T ParseEnum<T>(string key, string value) where T : struct, Enum =>
        Enum.TryParse(value, ignoreCase: true, out T parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new ArgumentException($"'{value}' is not a valid {key}; use one of {string.Join(", ", Enum.GetNames<T>())}.");
}
