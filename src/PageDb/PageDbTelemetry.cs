namespace PageDb;

/// <summary>
/// The names under which PageDb publishes metrics and traces, for OpenTelemetry
/// (<c>AddMeter(PageDbTelemetry.MeterName)</c>, <c>AddSource(PageDbTelemetry.ActivitySourceName)</c>) and
/// <c>dotnet-counters monitor --counters PageDb</c>. Every open database publishes to them; nothing needs enabling.
/// The instruments and activities are listed in docs/API.md, "Metrics and traces".
/// </summary>
public static class PageDbTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> of every open database: <c>PageDb</c>.</summary>
    public const string MeterName = "PageDb";

    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> of checkpoints, recovery and compaction: <c>PageDb</c>.</summary>
    public const string ActivitySourceName = "PageDb";
}
