using PageDb.Records;

namespace PageDb.Execution;

/// <summary>
/// Base of the operators that change a table from an input: on open it reads the whole input first (so a plan may
/// read the table it changes), then applies each row, and produces one row holding the number of rows affected.
/// A row that breaks a rule throws; rows applied before it stay applied until the transaction is rolled back.
/// </summary>
public abstract class WriteOperator : PlanOperator
{
    private static readonly OutputColumn[] CountColumn = [new("affected")];
    private Row? _result;

    private protected WriteOperator(Table table, PlanOperator input)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(input);
        Table = table;
        Input = input;
    }

    /// <summary>The table changed.</summary>
    protected Table Table { get; }

    /// <summary>The rows to apply.</summary>
    protected PlanOperator Input { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<OutputColumn> Columns => CountColumn;

    /// <inheritdoc/>
    protected override IReadOnlyList<PlanOperator> Inputs => [Input];

    /// <inheritdoc/>
    protected override void OnOpen()
    {
        Table.Transaction.EnsureWritable();
        List<Row> rows = [.. Input];
        long affected = 0;
        foreach (Row row in rows)
        {
            if (Apply(row))
                affected++;
        }
        _result = new Row([Value.FromInt64(affected)]);
    }

    /// <inheritdoc/>
    protected override Row? OnNext()
    {
        Row? result = _result;
        _result = null;
        return result;
    }

    /// <inheritdoc/>
    protected override void OnClose() => _result = null;

    /// <summary>Applies one input row; true when it changed the table.</summary>
    private protected abstract bool Apply(Row row);

    /// <summary>The input position of each of <paramref name="names"/>.</summary>
    private protected int[] InputOrdinals(IEnumerable<string> names) =>
        names.Select(n => OutputColumn.Resolve(Input.Columns, n)).ToArray();

    /// <summary>The names of the columns that identify a row: the primary key, or the row id.</summary>
    private protected IEnumerable<string> KeyNames() =>
        Table.Schema.HasRowId ? [TableSchema.RowIdColumn] : Table.Schema.PrimaryKey;

    /// <summary>Encodes the key of the stored row an input row stands for.</summary>
    private protected byte[] EncodeKey(Row row, int[] keyOrdinals)
    {
        var key = new ByteBuilder();
        KeyEncoding.AppendColumns(key, row, keyOrdinals, Table.Layout.KeyFormat);
        return key.ToArray();
    }
}
