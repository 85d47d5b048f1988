using PageDb.Expressions;

namespace PageDb.Execution;

/// <summary>
/// Reads a table in primary-key order, keeping the rows for which the pushed-down predicate holds and producing only
/// the projected columns. The predicate is evaluated on the encoded record: it decodes only the columns it names,
/// and a rejected row allocates nothing. Create it with <see cref="Table.Scan"/>.
/// </summary>
public sealed class TableScan : PlanOperator
{
    private readonly Table _table;
    private readonly int[] _ordinals;
    private readonly Expr? _where;
    private readonly Expr? _boundWhere;
    private readonly EncodedRow _current;
    private Cursor? _cursor;
    private ScanState _state;

    internal TableScan(Table table, IReadOnlyList<string>? columns, Expr? where)
    {
        _table = table;
        OutputColumn[] all = TableColumns(table);
        _ordinals = columns is null ? Enumerable.Range(0, table.Schema.Columns.Count).ToArray() : Resolve(all, columns);
        Columns = Array.ConvertAll(_ordinals, o => all[o]);
        _where = where;
        _boundWhere = where?.Bind(all);
        _current = new EncodedRow(table);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<OutputColumn> Columns { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"TableScan {_table.Name} [{string.Join(", ", Columns.Select(c => c.Name))}]" + (_where is null ? "" : $" where {_where}");

    /// <summary>Every column of <paramref name="table"/>, then its row id if it has one (named <see cref="TableSchema.RowIdColumn"/>).</summary>
    internal static OutputColumn[] TableColumns(Table table)
    {
        var columns = table.Schema.Columns.Select(c => new OutputColumn(c.Name, table.Name)).ToList();
        if (table.Schema.HasRowId)
            columns.Add(new OutputColumn(TableSchema.RowIdColumn, table.Name));
        return [.. columns];
    }

    internal static int[] Resolve(IReadOnlyList<OutputColumn> all, IReadOnlyList<string> columns) =>
        columns.Select(c => OutputColumn.Resolve(all, c)).ToArray();

    /// <inheritdoc/>
    protected override void OnOpen()
    {
        _cursor = _table.OpenCursor(_table.Tree);
        _state = ScanState.Before;
    }

    /// <inheritdoc/>
    protected override Row? OnNext()
    {
        Cursor cursor = _cursor!;
        while (_state.Advance(cursor))
        {
            if (_boundWhere is null)
                return _table.DecodeRow(cursor.Key, cursor.Value, _ordinals);
            _current.Load(cursor.Key, cursor.Value);
            if (_boundWhere.IsTrue(_current))
                return _current.ToRow(_ordinals);
        }
        return null;
    }

    /// <inheritdoc/>
    protected override void OnClose()
    {
        _cursor?.Dispose();
        _cursor = null;
    }
}
