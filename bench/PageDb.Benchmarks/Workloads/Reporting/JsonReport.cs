using System.Text.Json;
using System.Text.Json.Serialization;

namespace PageDb.Benchmarks.Workloads.Reporting;

/// <summary>Writes a <see cref="RunReport"/> as JSON, for comparing runs.</summary>
public static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // NaN where a metric has no value
    };

    /// <summary>The JSON text of <paramref name="report"/>.</summary>
    public static string Render(RunReport report) => JsonSerializer.Serialize(report, Options);
}
