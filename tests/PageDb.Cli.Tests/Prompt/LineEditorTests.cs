using PageDb.Cli.Prompt;

namespace PageDb.Cli.Tests.Prompt;

/// <summary>
/// The prompt's line editor fed key sequences: the line it returns, and what a terminal shows after each redraw
/// (<see cref="TerminalRow"/>), with no terminal.
/// </summary>
public sealed class LineEditorTests
{
    private const string Prompt = "pagedb> ";

    private LineEditor _editor = null!;
    private TerminalRow _row = null!;

    [SetUp]
    public void SetUp() => Begin(new LineEditor());

    [Test]
    public void Typed_characters_are_echoed_and_enter_returns_the_line()
    {
        Type("SELECT 1;");
        Assert.That(_row.Text, Is.EqualTo(Prompt + "SELECT 1;"));
        LineEditStep step = Press(ConsoleKey.Enter);
        Assert.That((step.Outcome, step.Line, _row.Ended), Is.EqualTo((LineEditOutcome.Finished, "SELECT 1;", true)));
    }

    [Test]
    public void Left_right_home_and_end_move_the_cursor_and_typing_inserts_there()
    {
        Type("elect 1");
        Press(ConsoleKey.Home);
        AssertShows("elect 1", cursor: 0);
        Type("s");
        AssertShows("select 1", cursor: 1);
        Press(ConsoleKey.End);
        Press(ConsoleKey.LeftArrow);
        Type("*");
        AssertShows("select *1", cursor: 8);
        Press(ConsoleKey.RightArrow);
        Press(ConsoleKey.RightArrow);
        Type(";");
        Press(ConsoleKey.A, control: true);
        Press(ConsoleKey.F, control: true);
        Press(ConsoleKey.B, control: true);
        AssertShows("select *1;", cursor: 0);
        Press(ConsoleKey.E, control: true);
        AssertShows("select *1;", cursor: 10);
        Assert.That(Press(ConsoleKey.Enter).Line, Is.EqualTo("select *1;"));
    }

    [Test]
    public void Backspace_and_delete_remove_around_the_cursor_and_do_nothing_at_the_ends()
    {
        Type("abcd");
        Press(ConsoleKey.Delete);
        Press(ConsoleKey.LeftArrow);
        Press(ConsoleKey.LeftArrow);
        Press(ConsoleKey.Backspace);
        AssertShows("acd", cursor: 1);
        Press(ConsoleKey.Delete);
        AssertShows("ad", cursor: 1);
        Press(ConsoleKey.Home);
        Press(ConsoleKey.Backspace);
        AssertShows("ad", cursor: 0);
        Assert.That(Press(ConsoleKey.Enter).Line, Is.EqualTo("ad"));
    }

    [Test]
    public void Up_and_down_walk_the_history_and_come_back_to_the_line_being_typed()
    {
        _editor.Remember("SELECT 1;");
        _editor.Remember("SELECT count(*) FROM orders;");
        Begin(_editor);
        Type("dra");
        const string Newest = "SELECT count(*) FROM orders;";
        var walk = new (ConsoleKey Key, bool Control, string Shown)[]
        {
            (ConsoleKey.UpArrow, false, Newest), (ConsoleKey.UpArrow, false, "SELECT 1;"), (ConsoleKey.UpArrow, false, "SELECT 1;"),
            (ConsoleKey.N, true, Newest), (ConsoleKey.DownArrow, false, "dra"), (ConsoleKey.DownArrow, false, "dra"),
        };
        foreach ((ConsoleKey key, bool control, string shown) in walk)
        {
            Press(key, control);
            AssertShows(shown, cursor: shown.Length);
        }
        Press(ConsoleKey.P, control: true);
        Press(ConsoleKey.Backspace);
        Type(" LIMIT 1;");
        Assert.That(Press(ConsoleKey.Enter).Line, Is.EqualTo("SELECT count(*) FROM orders LIMIT 1;"));
    }

    [Test]
    public void A_statement_of_several_lines_is_one_entry_shown_on_one_row_and_returned_whole()
    {
        _editor.Remember("SELECT id\nFROM orders\tWHERE id = 1;");
        Begin(_editor);
        Press(ConsoleKey.UpArrow);
        AssertShows("SELECT id FROM orders WHERE id = 1;", cursor: 35);
        Assert.That(Press(ConsoleKey.Enter).Line, Is.EqualTo("SELECT id\nFROM orders\tWHERE id = 1;"));
    }

    [Test]
    public void The_history_skips_blanks_and_repeats_and_forgets_its_oldest_entry_when_full()
    {
        var editor = new LineEditor(historyCapacity: 2);
        foreach (string entry in new[] { "a;", "", "  ", "a;", "b;", "c;", "c;" })
            editor.Remember(entry);
        Assert.That(editor.History, Is.EqualTo(new[] { "b;", "c;" }));
    }

    [Test]
    public void Ctrl_d_ends_the_input_on_an_empty_line_and_deletes_under_the_cursor_otherwise()
    {
        Type("ab");
        Press(ConsoleKey.Home);
        Assert.That(Press(ConsoleKey.D, control: true).Outcome, Is.EqualTo(LineEditOutcome.Editing));
        AssertShows("b", cursor: 0);
        Press(ConsoleKey.D, control: true);
        LineEditStep end = Press(ConsoleKey.D, control: true);
        Assert.That((end.Outcome, end.Line, _row.Ended), Is.EqualTo((LineEditOutcome.EndOfInput, (string?)null, true)));
    }

    [Test]
    public void Keys_it_does_not_know_change_nothing()
    {
        Type("x");
        foreach (ConsoleKey key in new[] { ConsoleKey.Escape, ConsoleKey.F1, ConsoleKey.PageUp, ConsoleKey.Insert })
            Assert.That(Press(key).Output, Is.Empty);
        AssertShows("x", cursor: 1);
    }

    /// <summary>
    /// Random edits against a model (a string and a cursor): after every key the terminal row shows exactly the prompt
    /// and the model's line with the cursor in the model's place, and Enter returns the model's line.
    /// </summary>
    [Test]
    public void Random_edits_always_leave_the_row_showing_the_line([Range(1, 20)] int seed)
    {
        var random = new Random(seed);
        string line = "";
        int cursor = 0;
        for (int step = 0; step < 300; step++)
        {
            switch (random.Next(8))
            {
                case 0:
                    Press(ConsoleKey.LeftArrow);
                    cursor = Math.Max(0, cursor - 1);
                    break;
                case 1:
                    Press(ConsoleKey.RightArrow);
                    cursor = Math.Min(line.Length, cursor + 1);
                    break;
                case 2:
                    bool home = random.Next(2) == 0;
                    Press(home ? ConsoleKey.Home : ConsoleKey.End);
                    cursor = home ? 0 : line.Length;
                    break;
                case 3 when cursor > 0:
                    Press(ConsoleKey.Backspace);
                    line = line.Remove(--cursor, 1);
                    break;
                case 4 when cursor < line.Length:
                    Press(ConsoleKey.Delete);
                    line = line.Remove(cursor, 1);
                    break;
                default:
                    char c = (char)random.Next('a', 'z' + 1);
                    Type(c.ToString());
                    line = line.Insert(cursor++, c.ToString());
                    break;
            }
            Assert.That((_row.Text, _row.Column), Is.EqualTo(((Prompt + line).TrimEnd(' '), Prompt.Length + cursor)), $"seed {seed}, step {step}");
        }
        Assert.That(Press(ConsoleKey.Enter).Line, Is.EqualTo(line), $"seed {seed}");
    }

    private void Begin(LineEditor editor)
    {
        _editor = editor;
        _row = new TerminalRow();
        _row.Write(editor.Begin(Prompt));
    }

    private void Type(string text)
    {
        foreach (char c in text)
            Feed(new ConsoleKeyInfo(c, char.IsAsciiLetter(c) ? (ConsoleKey)char.ToUpperInvariant(c) : ConsoleKey.NoName, false, false, false));
    }

    private LineEditStep Press(ConsoleKey key, bool control = false) => Feed(new ConsoleKeyInfo('\0', key, false, false, control));

    private LineEditStep Feed(ConsoleKeyInfo key)
    {
        LineEditStep step = _editor.Feed(key);
        _row.Write(step.Output);
        return step;
    }

    private void AssertShows(string line, int cursor) =>
        Assert.That((_row.Text, _row.Column), Is.EqualTo((Prompt + line, Prompt.Length + cursor)));
}
