using System.Collections;
using System.Text;

namespace PageDb.Execution;

/// <summary>
/// A pull iterator over rows (Volcano style): <see cref="Open"/>, then <see cref="Next"/> until it returns null, then
/// <see cref="Close"/>. Enumerating it with foreach does all three. An operator may be opened again after closing,
/// and runs inside the transaction its tables came from. <see cref="Explain"/> prints the operator tree.
/// </summary>
public abstract class PlanOperator : IEnumerable<Row>, IDisposable
{
    private bool _open;

    /// <summary>The columns of the rows the operator produces, in order.</summary>
    public abstract IReadOnlyList<OutputColumn> Columns { get; }

    /// <summary>The operators this one reads from.</summary>
    protected virtual IReadOnlyList<PlanOperator> Inputs => [];

    /// <summary>Prepares to produce rows from the start; opening an open operator restarts it.</summary>
    public void Open()
    {
        if (_open)
            Close();
        OnOpen();
        _open = true;
    }

    /// <summary>The next row, or null when there are no more.</summary>
    /// <exception cref="InvalidOperationException">The operator is not open.</exception>
    public Row? Next()
    {
        if (!_open)
            throw new InvalidOperationException($"Open the {GetType().Name} before asking it for rows.");
        return OnNext();
    }

    /// <summary>Releases what the operator holds (cursors, buffers, temporary files). Closing twice is harmless.</summary>
    public void Close()
    {
        if (!_open)
            return;
        _open = false;
        OnClose();
    }

    /// <summary>The operator tree, one operator per line, inputs indented under their consumer.</summary>
    public string Explain()
    {
        var text = new StringBuilder();
        ExplainInto(text, 0);
        return text.ToString();
    }

    /// <summary>Closes the operator.</summary>
    public void Dispose()
    {
        Close();
        GC.SuppressFinalize(this);
    }

    /// <summary>Opens the operator, yields its rows and closes it.</summary>
    public IEnumerator<Row> GetEnumerator()
    {
        Open();
        try
        {
            for (Row? row = Next(); row is not null; row = Next())
                yield return row;
        }
        finally
        {
            Close();
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One line describing this operator (without its inputs).</summary>
    public abstract override string ToString();

    /// <summary>Starts producing rows.</summary>
    protected abstract void OnOpen();

    /// <summary>Produces the next row or null.</summary>
    protected abstract Row? OnNext();

    /// <summary>Releases resources; inputs are closed by the operator that opened them.</summary>
    protected abstract void OnClose();

    private void ExplainInto(StringBuilder text, int depth)
    {
        text.Append(' ', depth * 2).Append(ToString()).Append('\n');
        foreach (PlanOperator input in Inputs)
            input.ExplainInto(text, depth + 1);
    }
}
