namespace PageDb.Cli.DataFiles;

/// <summary>A record of a data file that cannot be imported; the reader adds the file and line to the reason.</summary>
internal sealed class DataFileException(string reason) : Exception(reason);
