namespace PageDb;

/// <summary>A write would break a constraint (a duplicate primary key, a unique index); nothing was changed.</summary>
public class ConstraintViolationException : PageDbException
{
    /// <summary>Creates the exception with a message naming the constraint and the value.</summary>
    public ConstraintViolationException(string message) : base(message) { }
}
