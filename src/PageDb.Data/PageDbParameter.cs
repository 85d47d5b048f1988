using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace PageDb.Data;

/// <summary>
/// A parameter of a <see cref="PageDbCommand"/>. Its name may be written with or without its prefix (<c>@id</c>,
/// <c>:id</c>, <c>$id</c> and <c>id</c> all bind <c>@id</c> in the SQL); a number binds a positional <c>?</c>.
/// </summary>
public sealed class PageDbParameter : DbParameter
{
    private string _name = "";
    private string _sourceColumn = "";

    /// <summary>An unnamed parameter.</summary>
    public PageDbParameter()
    {
    }

    /// <summary>A parameter called <paramref name="name"/> with <paramref name="value"/>.</summary>
    public PageDbParameter(string name, object? value)
    {
        _name = name;
        Value = value;
    }

    /// <inheritdoc/>
    public override DbType DbType { get; set; } = DbType.String;

    /// <inheritdoc/>
    public override ParameterDirection Direction
    {
        get => ParameterDirection.Input;
        set
        {
            if (value != ParameterDirection.Input)
                throw new ArgumentException("PageDb parameters are input only.", nameof(value));
        }
    }

    /// <inheritdoc/>
    public override bool IsNullable { get; set; }

    /// <inheritdoc/>
    [AllowNull]
    public override string ParameterName
    {
        get => _name;
        set => _name = value ?? "";
    }

    /// <inheritdoc/>
    public override int Size { get; set; }

    /// <inheritdoc/>
    [AllowNull]
    public override string SourceColumn
    {
        get => _sourceColumn;
        set => _sourceColumn = value ?? "";
    }

    /// <inheritdoc/>
    public override bool SourceColumnNullMapping { get; set; }

    /// <inheritdoc/>
    public override object? Value { get; set; }

    /// <inheritdoc/>
    public override void ResetDbType() => DbType = DbType.String;
}
