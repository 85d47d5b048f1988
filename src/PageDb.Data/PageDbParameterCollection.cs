using System.Collections;
using System.Data.Common;

namespace PageDb.Data;

/// <summary>The parameters of a <see cref="PageDbCommand"/>.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1010", Justification = "DbParameterCollection is the ADO.NET contract.")]
public sealed class PageDbParameterCollection : DbParameterCollection
{
    private readonly List<PageDbParameter> _items = [];

    /// <inheritdoc/>
    public override int Count => _items.Count;

    /// <inheritdoc/>
    public override object SyncRoot => ((ICollection)_items).SyncRoot;

    /// <summary>Adds a parameter called <paramref name="name"/> with <paramref name="value"/>.</summary>
    public PageDbParameter AddWithValue(string name, object? value)
    {
        var parameter = new PageDbParameter(name, value);
        _items.Add(parameter);
        return parameter;
    }

    /// <inheritdoc/>
    public override int Add(object value)
    {
        _items.Add(Cast(value));
        return _items.Count - 1;
    }

    /// <inheritdoc/>
    public override void AddRange(Array values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (object value in values)
            Add(value);
    }

    /// <inheritdoc/>
    public override void Clear() => _items.Clear();

    /// <inheritdoc/>
    public override bool Contains(object value) => value is PageDbParameter p && _items.Contains(p);

    /// <inheritdoc/>
    public override bool Contains(string value) => IndexOf(value) >= 0;

    /// <inheritdoc/>
    public override void CopyTo(Array array, int index) => ((ICollection)_items).CopyTo(array, index);

    /// <inheritdoc/>
    public override IEnumerator GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc/>
    public override int IndexOf(object value) => value is PageDbParameter p ? _items.IndexOf(p) : -1;

    /// <inheritdoc/>
    public override int IndexOf(string parameterName) =>
        _items.FindIndex(p => string.Equals(Bare(p.ParameterName), Bare(parameterName), StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc/>
    public override void Insert(int index, object value) => _items.Insert(index, Cast(value));

    /// <inheritdoc/>
    public override void Remove(object value) => _items.Remove(Cast(value));

    /// <inheritdoc/>
    public override void RemoveAt(int index) => _items.RemoveAt(index);

    /// <inheritdoc/>
    public override void RemoveAt(string parameterName) => _items.RemoveAt(Require(parameterName));

    /// <inheritdoc/>
    protected override DbParameter GetParameter(int index) => _items[index];

    /// <inheritdoc/>
    protected override DbParameter GetParameter(string parameterName) => _items[Require(parameterName)];

    /// <inheritdoc/>
    protected override void SetParameter(int index, DbParameter value) => _items[index] = Cast(value);

    /// <inheritdoc/>
    protected override void SetParameter(string parameterName, DbParameter value) => _items[Require(parameterName)] = Cast(value);

    internal IReadOnlyList<PageDbParameter> Items => _items;

    private int Require(string name)
    {
        int index = IndexOf(name);
        return index >= 0 ? index : throw new ArgumentException($"There is no parameter named '{name}'.", nameof(name));
    }

    private static string Bare(string name) => name.Length > 0 && name[0] is '@' or ':' or '$' ? name[1..] : name;

    private static PageDbParameter Cast(object value) =>
        value as PageDbParameter ?? throw new InvalidCastException($"A PageDbParameterCollection holds PageDbParameters, not {value?.GetType().Name ?? "null"}.");
}
