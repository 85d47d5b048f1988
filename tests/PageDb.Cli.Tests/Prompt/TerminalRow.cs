namespace PageDb.Cli.Tests.Prompt;

/// <summary>
/// The one terminal row a <see cref="PageDb.Cli.Prompt.LineEditor"/> draws on, as a terminal shows it: characters overwrite
/// what is under the cursor, '\r' goes to column 0, '\b' one column left, and a newline alone ends the row.
/// </summary>
internal sealed class TerminalRow
{
    private readonly List<char> _cells = [];

    /// <summary>The column the cursor is in.</summary>
    public int Column { get; private set; }

    /// <summary>True once a newline was written.</summary>
    public bool Ended { get; private set; }

    /// <summary>What the row shows, without trailing blanks.</summary>
    public string Text => new string([.. _cells]).TrimEnd(' ');

    /// <summary>Applies <paramref name="output"/> as a terminal would.</summary>
    public void Write(string output)
    {
        if (output == Environment.NewLine)
        {
            Ended = true;
            return;
        }
        foreach (char c in output)
        {
            if (c == '\r')
                Column = 0;
            else if (c == '\b')
                Column = Math.Max(0, Column - 1);
            else
                Put(c);
        }
    }

    private void Put(char c)
    {
        Assert.That(char.IsControl(c), Is.False, $"control character {(int)c} drawn as text");
        if (Column == _cells.Count)
            _cells.Add(c);
        else
            _cells[Column] = c;
        Column++;
    }
}
