using PageDb.Sql.Syntax;
using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>One term of a compound query's sort: a result column and its direction.</summary>
internal readonly record struct MergeTerm(int Column, OrderKey Order);

/// <summary>
/// Runs the cores of a compound SELECT (UNION [ALL], INTERSECT, EXCEPT) the way SQLite (3.53) does, so that the rows
/// that come out are SQLite's rows, value types included. Equal rows need not be identical: 1 and 1.0 are equal, and
/// which of them survives a UNION is part of the answer.
///
/// SQLite's rules, which this class keeps:
/// 1. UNION ALL without ORDER BY runs the left query, then the right one: concatenation.
/// 2. Every other compound is a merge of two sorted inputs. The sort key is the ORDER BY's terms; when the operator is
///    not UNION ALL, every result column missing from them is appended, ascending (with no ORDER BY at all, the key is
///    all columns). Each input is sorted by the same key: a single core stably (its rows keep their order among equal
///    keys; SELECT DISTINCT keeps the first of equal rows), a compound input by the same rules recursively.
/// 3. The merge compares the heads A (left) and B (right). UNION ALL outputs the smaller, A on a tie. UNION outputs
///    the smaller and on a tie drops A, so that of rows equal on both sides B's comes out. INTERSECT outputs A on a tie
///    and otherwise drops the smaller; EXCEPT outputs A when it is smaller, drops A on a tie and B when it is smaller.
///    Except for UNION ALL, a row equal to the previous output row is dropped: the first of a run survives.
/// 4. A chain of more than three UNIONs (or UNION ALLs) is split in the middle rather than at its last operator (the
///    "balanced merge"): the right input is the last (n - 1) / 2 + 1 of its n queries.
/// The result is in key order, which is the ORDER BY's order.
/// </summary>
internal sealed class CompoundSelect(IReadOnlyList<CoreQuery> cores, IReadOnlyList<CompoundOperator> operators, IReadOnlyList<MergeTerm> order, int width)
{
    /// <summary>The rows of the whole compound, in ORDER BY order when it has one.</summary>
    public List<SqlValue[]> Execute(Frame? outer, ExecutionContext context) =>
        Rows(0, cores.Count - 1, order, sorted: order.Count > 0, outer, context);

    private List<SqlValue[]> Rows(int first, int last, IReadOnlyList<MergeTerm> terms, bool sorted, Frame? outer, ExecutionContext context)
    {
        if (first == last)
            return CoreRows(cores[first], terms, sorted, outer, context);
        CompoundOperator op = operators[last - 1];
        if (!sorted && op == CompoundOperator.UnionAll)
            return [.. Rows(first, last - 1, [], false, outer, context), .. Rows(last, last, [], false, outer, context)];
        IReadOnlyList<MergeTerm> key = op == CompoundOperator.UnionAll ? terms : Completed(terms);
        int split = RightInputStart(first, last, op);
        List<SqlValue[]> left = Rows(first, split - 1, key, true, outer, context);
        List<SqlValue[]> right = Rows(split, last, key, true, outer, context);
        return Merge(left, right, op, key);
    }

    private static List<SqlValue[]> CoreRows(CoreQuery core, IReadOnlyList<MergeTerm> terms, bool sorted, Frame? outer, ExecutionContext context)
    {
        List<SqlValue[]> rows = [.. core.Execute(outer, context).Select(r => r.Values)];
        if (core.Distinct)
        {
            var seen = new HashSet<SqlValue[]>(RowComparer.Instance);
            rows = rows.FindAll(seen.Add);
        }
        if (sorted)
            rows = [.. rows.OrderBy(r => r, Comparer<SqlValue[]>.Create((x, y) => Compare(terms, x, y)))];
        return rows;
    }

    private List<MergeTerm> Completed(IReadOnlyList<MergeTerm> terms)
    {
        var key = new List<MergeTerm>(terms);
        for (int column = 0; column < width; column++)
        {
            if (!key.Exists(t => t.Column == column))
                key.Add(new MergeTerm(column, new OrderKey(Descending: false, NullsFirst: null)));
        }
        return key;
    }

    /// <summary>The first core of the right input of the compound <paramref name="first"/>..<paramref name="last"/> (rule 4).</summary>
    private int RightInputStart(int first, int last, CompoundOperator op)
    {
        if (op is not (CompoundOperator.Union or CompoundOperator.UnionAll))
            return last;
        int queries = 2;
        while (last - queries >= first && operators[last - queries] == op)
            queries++;
        return queries <= 3 ? last : last - (queries - 1) / 2;
    }

    private static List<SqlValue[]> Merge(List<SqlValue[]> left, List<SqlValue[]> right, CompoundOperator op, IReadOnlyList<MergeTerm> key)
    {
        var output = new List<SqlValue[]>();
        int a = 0, b = 0;
        while (a < left.Count || b < right.Count)
        {
            int order = a == left.Count ? 1 : b == right.Count ? -1 : Compare(key, left[a], right[b]);
            switch (op)
            {
                case CompoundOperator.UnionAll:
                    output.Add(order <= 0 ? left[a++] : right[b++]);
                    break;
                case CompoundOperator.Union:
                    if (order < 0)
                        AddDistinct(output, left[a++]);
                    else if (order == 0)
                        a++;
                    else
                        AddDistinct(output, right[b++]);
                    break;
                case CompoundOperator.Intersect:
                    if (a == left.Count || b == right.Count)
                        return output;
                    if (order == 0)
                        AddDistinct(output, left[a++]);
                    else if (order < 0)
                        a++;
                    else
                        b++;
                    break;
                default:
                    if (a == left.Count)
                        return output;
                    if (order < 0)
                        AddDistinct(output, left[a++]);
                    else if (order == 0)
                        a++;
                    else
                        b++;
                    break;
            }
        }
        return output;
    }

    private static void AddDistinct(List<SqlValue[]> output, SqlValue[] row)
    {
        if (output.Count == 0 || !RowComparer.Instance.Equals(output[^1], row))
            output.Add(row);
    }

    private static int Compare(IReadOnlyList<MergeTerm> key, SqlValue[] x, SqlValue[] y)
    {
        foreach (MergeTerm term in key)
        {
            int order = term.Order.Compare(x[term.Column], y[term.Column]);
            if (order != 0)
                return order;
        }
        return 0;
    }
}
