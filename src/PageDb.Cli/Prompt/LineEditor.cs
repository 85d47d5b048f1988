using System.Text;

namespace PageDb.Cli.Prompt;

/// <summary>
/// The editing logic of the interactive <c>pagedb sql</c> prompt, with no terminal: it is fed
/// <see cref="ConsoleKeyInfo"/>s and answers each with the text that redraws the line (<see cref="LineEditStep"/>),
/// so it is tested with key sequences. <see cref="ConsoleLineReader"/> connects it to the console.
/// <para>
/// Keys: printable characters and Tab insert at the cursor; Left/Right (Ctrl+B/F), Home/End (Ctrl+A/E) move;
/// Backspace and Delete remove; Up/Down (Ctrl+P/N) walk this session's history, keeping the line being typed as the
/// newest entry; Enter finishes the line; Ctrl+D ends the input on an empty line and deletes under the cursor
/// otherwise. Other keys are ignored. Ctrl+C never reaches the editor: the console's default handling ends the
/// process, as it did before the editor existed.
/// </para>
/// <para>
/// Drawing uses only carriage return, backspace and spaces, which every terminal understands: a redraw goes back to
/// the start of the row, writes the prompt and the line, blanks what is left of the previous, longer line, and backs
/// up to the cursor. A history entry may hold several lines (a statement typed over several lines); its line breaks
/// and tabs stay in the text but are shown as spaces, so the line is one row and each character one column. Lines
/// wider than the terminal (which wrap) and double-width characters are not redrawn correctly.
/// </para>
/// Not thread-safe: one prompt reads from one thread.
/// </summary>
internal sealed class LineEditor(int historyCapacity = LineEditor.DefaultHistoryCapacity)
{
    /// <summary>How many entries the history keeps before it forgets the oldest.</summary>
    public const int DefaultHistoryCapacity = 500;

    private readonly List<string> _history = [];
    private readonly StringBuilder _line = new();
    private string _prompt = "";
    private string _draft = "";
    private int _cursor;
    private int _historyIndex;

    /// <summary>How many characters after the prompt the terminal shows now (the drawn line may be longer than <see cref="_line"/>).</summary>
    private int _shown;

    /// <summary>This session's entries, oldest first.</summary>
    public IReadOnlyList<string> History => _history;

    /// <summary>Starts a new, empty line after <paramref name="prompt"/>; returns the text to write (the prompt).</summary>
    public string Begin(string prompt)
    {
        _prompt = prompt;
        _line.Clear();
        _cursor = 0;
        _shown = 0;
        _draft = "";
        _historyIndex = _history.Count;
        return prompt;
    }

    /// <summary>
    /// Adds <paramref name="entry"/> (a whole statement, or a dot command) to the history, unless it is blank or repeats
    /// the newest entry.
    /// </summary>
    public void Remember(string entry)
    {
        if (string.IsNullOrWhiteSpace(entry) || (_history.Count > 0 && _history[^1] == entry))
            return;
        if (_history.Count == historyCapacity)
            _history.RemoveAt(0);
        _history.Add(entry);
    }

    /// <summary>Applies one key to the line being edited.</summary>
    public LineEditStep Feed(ConsoleKeyInfo key)
    {
        bool control = (key.Modifiers & ConsoleModifiers.Control) != 0;
        return key.Key switch
        {
            ConsoleKey.Enter => new LineEditStep(Environment.NewLine, LineEditOutcome.Finished, _line.ToString()),
            ConsoleKey.D when control && _line.Length == 0 => new LineEditStep(Environment.NewLine, LineEditOutcome.EndOfInput, null),
            ConsoleKey.D when control => Editing(DeleteForward()),
            ConsoleKey.Delete => Editing(DeleteForward()),
            ConsoleKey.Backspace => Editing(DeleteBackward()),
            ConsoleKey.LeftArrow => Editing(MoveTo(_cursor - 1)),
            ConsoleKey.B when control => Editing(MoveTo(_cursor - 1)),
            ConsoleKey.RightArrow => Editing(MoveTo(_cursor + 1)),
            ConsoleKey.F when control => Editing(MoveTo(_cursor + 1)),
            ConsoleKey.Home => Editing(MoveTo(0)),
            ConsoleKey.A when control => Editing(MoveTo(0)),
            ConsoleKey.End => Editing(MoveTo(_line.Length)),
            ConsoleKey.E when control => Editing(MoveTo(_line.Length)),
            ConsoleKey.UpArrow => Editing(Recall(_historyIndex - 1)),
            ConsoleKey.P when control => Editing(Recall(_historyIndex - 1)),
            ConsoleKey.DownArrow => Editing(Recall(_historyIndex + 1)),
            ConsoleKey.N when control => Editing(Recall(_historyIndex + 1)),
            ConsoleKey.Tab => Editing(Insert('\t')),
            _ when key.KeyChar != '\0' && !char.IsControl(key.KeyChar) => Editing(Insert(key.KeyChar)),
            _ => Editing(""),
        };
    }

    private static LineEditStep Editing(string output) => new(output, LineEditOutcome.Editing, null);

    private static char Shown(char c) => char.IsControl(c) ? ' ' : c;

    private string Insert(char c)
    {
        _line.Insert(_cursor, c);
        _cursor++;
        if (_cursor < _line.Length)
            return Redraw();
        _shown = _line.Length;
        return Shown(c).ToString();
    }

    private string DeleteBackward()
    {
        if (_cursor == 0)
            return "";
        _cursor--;
        _line.Remove(_cursor, 1);
        return Redraw();
    }

    private string DeleteForward()
    {
        if (_cursor == _line.Length)
            return "";
        _line.Remove(_cursor, 1);
        return Redraw();
    }

    /// <summary>Moves the cursor to <paramref name="target"/> (kept inside the line) by backspaces or by rewriting the characters it passes.</summary>
    private string MoveTo(int target)
    {
        target = Math.Clamp(target, 0, _line.Length);
        var output = new StringBuilder();
        if (target < _cursor)
            output.Append('\b', _cursor - target);
        for (int i = _cursor; i < target; i++)
            output.Append(Shown(_line[i]));
        _cursor = target;
        return output.ToString();
    }

    /// <summary>
    /// Shows history entry <paramref name="index"/>, where <c>History.Count</c> is the line that was being typed before
    /// the walk began; an index outside that range does nothing.
    /// </summary>
    private string Recall(int index)
    {
        if (index < 0 || index > _history.Count)
            return "";
        if (_historyIndex == _history.Count)
            _draft = _line.ToString();
        _historyIndex = index;
        _line.Clear().Append(index == _history.Count ? _draft : _history[index]);
        _cursor = _line.Length;
        return Redraw();
    }

    /// <summary>Rewrites the whole row: prompt, line, blanks over the rest of the previous line, then back to the cursor.</summary>
    private string Redraw()
    {
        var output = new StringBuilder().Append('\r').Append(_prompt);
        for (int i = 0; i < _line.Length; i++)
            output.Append(Shown(_line[i]));
        int blanks = Math.Max(0, _shown - _line.Length);
        output.Append(' ', blanks).Append('\b', blanks + _line.Length - _cursor);
        _shown = _line.Length;
        return output.ToString();
    }
}
