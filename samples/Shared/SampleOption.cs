namespace PageDb.Samples;

/// <summary>A whole-number option a sample accepts as <c>--name value</c>, with its default and allowed range.</summary>
/// <param name="Name">The option's name without the leading dashes.</param>
/// <param name="Default">The value when the option is not given.</param>
/// <param name="Min">The smallest value accepted.</param>
/// <param name="Max">The largest value accepted.</param>
internal sealed record SampleOption(string Name, long Default, long Min, long Max);
