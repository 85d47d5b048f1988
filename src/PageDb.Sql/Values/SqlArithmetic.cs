namespace PageDb.Sql.Values;

/// <summary>
/// SQL's arithmetic with SQLite's rules: NULL in, NULL out; text operands use their numeric prefix; two integers give
/// an integer (division truncates) unless the result overflows, which gives a real; division or remainder by zero is NULL.
/// </summary>
internal static class SqlArithmetic
{
    /// <summary>left + right.</summary>
    public static SqlValue Add(SqlValue left, SqlValue right)
    {
        if (!Numbers(ref left, ref right))
            return SqlValue.Null;
        if (left.Kind == SqlValueKind.Integer && right.Kind == SqlValueKind.Integer)
        {
            long sum = unchecked(left.Integer + right.Integer);
            if (((left.Integer ^ sum) & (right.Integer ^ sum)) >= 0)
                return SqlValue.FromInteger(sum);
        }
        return SqlValue.FromReal(left.ToReal() + right.ToReal());
    }

    /// <summary>left - right.</summary>
    public static SqlValue Subtract(SqlValue left, SqlValue right)
    {
        if (!Numbers(ref left, ref right))
            return SqlValue.Null;
        if (left.Kind == SqlValueKind.Integer && right.Kind == SqlValueKind.Integer)
        {
            long difference = unchecked(left.Integer - right.Integer);
            if (((left.Integer ^ right.Integer) & (left.Integer ^ difference)) >= 0)
                return SqlValue.FromInteger(difference);
        }
        return SqlValue.FromReal(left.ToReal() - right.ToReal());
    }

    /// <summary>left * right.</summary>
    public static SqlValue Multiply(SqlValue left, SqlValue right)
    {
        if (!Numbers(ref left, ref right))
            return SqlValue.Null;
        if (left.Kind == SqlValueKind.Integer && right.Kind == SqlValueKind.Integer)
        {
            Int128 product = (Int128)left.Integer * right.Integer;
            if (product >= long.MinValue && product <= long.MaxValue)
                return SqlValue.FromInteger((long)product);
        }
        return SqlValue.FromReal(left.ToReal() * right.ToReal());
    }

    /// <summary>left / right.</summary>
    public static SqlValue Divide(SqlValue left, SqlValue right)
    {
        if (!Numbers(ref left, ref right))
            return SqlValue.Null;
        if (left.Kind == SqlValueKind.Integer && right.Kind == SqlValueKind.Integer)
        {
            if (right.Integer == 0)
                return SqlValue.Null;
            if (right.Integer != -1 || left.Integer != long.MinValue)
                return SqlValue.FromInteger(left.Integer / right.Integer);
        }
        double divisor = right.ToReal();
        return divisor == 0 ? SqlValue.Null : SqlValue.FromReal(left.ToReal() / divisor);
    }

    /// <summary>left % right: the remainder of the integer parts; a real when either operand is real.</summary>
    public static SqlValue Remainder(SqlValue left, SqlValue right)
    {
        if (!Numbers(ref left, ref right))
            return SqlValue.Null;
        long dividend = left.ToInteger();
        long divisor = right.ToInteger();
        if (divisor == 0)
            return SqlValue.Null;
        long remainder = divisor == -1 ? 0 : dividend % divisor;
        return left.Kind == SqlValueKind.Integer && right.Kind == SqlValueKind.Integer
            ? SqlValue.FromInteger(remainder)
            : SqlValue.FromReal(remainder);
    }

    /// <summary>-value.</summary>
    public static SqlValue Negate(SqlValue value)
    {
        if (value.IsNull)
            return value;
        value = value.ToNumber();
        if (value.Kind == SqlValueKind.Integer && value.Integer != long.MinValue)
            return SqlValue.FromInteger(-value.Integer);
        return SqlValue.FromReal(-value.ToReal());
    }

    /// <summary>+value: the value unchanged (SQLite does not convert it).</summary>
    public static SqlValue Plus(SqlValue value) => value;

    /// <summary>~value.</summary>
    public static SqlValue BitNot(SqlValue value) => value.IsNull ? value : SqlValue.FromInteger(~value.ToInteger());

    /// <summary>A bitwise operator on the integer values.</summary>
    public static SqlValue Bitwise(SqlValue left, SqlValue right, Func<long, long, long> op)
    {
        if (left.IsNull || right.IsNull)
            return SqlValue.Null;
        return SqlValue.FromInteger(op(left.ToInteger(), right.ToInteger()));
    }

    /// <summary>left || right.</summary>
    public static SqlValue Concat(SqlValue left, SqlValue right)
    {
        if (left.IsNull || right.IsNull)
            return SqlValue.Null;
        return SqlValue.FromText(left.ToText() + right.ToText());
    }

    /// <summary>Shift left (a negative count shifts right), as SQLite does.</summary>
    public static long ShiftLeft(long value, long count)
    {
        if (count < 0)
            return ShiftRight(value, count == long.MinValue ? long.MaxValue : -count);
        return count >= 64 ? 0 : value << (int)count;
    }

    /// <summary>Arithmetic shift right (a negative count shifts left).</summary>
    public static long ShiftRight(long value, long count)
    {
        if (count < 0)
            return ShiftLeft(value, count == long.MinValue ? long.MaxValue : -count);
        if (count >= 64)
            return value < 0 ? -1 : 0;
        return value >> (int)count;
    }

    private static bool Numbers(ref SqlValue left, ref SqlValue right)
    {
        if (left.IsNull || right.IsNull)
            return false;
        left = left.ToNumber();
        right = right.ToNumber();
        return true;
    }
}
