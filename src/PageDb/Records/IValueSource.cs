namespace PageDb.Records;

/// <summary>Something expressions read column values from by position: a <see cref="Row"/> or an encoded record.</summary>
internal interface IValueSource
{
    /// <summary>The value of column <paramref name="ordinal"/>.</summary>
    Value GetValue(int ordinal);
}
