namespace PageDb;

/// <summary>The base of every error PageDb raises about a database (as opposed to a bad argument).</summary>
public class PageDbException : Exception
{
    /// <summary>Creates an exception with a message a person can act on.</summary>
    public PageDbException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and the error that caused it.</summary>
    public PageDbException(string message, Exception? innerException) : base(message, innerException) { }
}
