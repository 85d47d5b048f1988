using System.Reflection;

namespace PageDb.Sql.Tests;

/// <summary>What an object keeps reachable through its fields, for tests of what a cache holds on to.</summary>
internal static class ObjectGraph
{
    private const int MaxObjects = 1_000_000;

    /// <summary>
    /// The path of fields from <paramref name="root"/> to the nearest object that <paramref name="match"/> accepts
    /// (breadth first), or null when none is reachable. Strings, types, reflection objects (a delegate's method) and
    /// arrays of primitives are not looked into; a weak reference holds nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">More than a million objects are reachable.</exception>
    public static string? PathTo(object root, Func<object, bool> match)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance) { root };
        var queue = new Queue<(object Item, string Path)>();
        queue.Enqueue((root, root.GetType().Name));
        while (queue.TryDequeue(out (object Item, string Path) next))
        {
            if (match(next.Item))
                return next.Path;
            foreach ((object child, string name) in Children(next.Item))
            {
                if (seen.Add(child))
                    queue.Enqueue((child, $"{next.Path}.{name}"));
            }
            if (seen.Count > MaxObjects)
                throw new InvalidOperationException($"more than {MaxObjects} objects are reachable from {root}");
        }
        return null;
    }

    private static IEnumerable<(object Child, string Name)> Children(object item)
    {
        Type type = item.GetType();
        if (item is string or Type or MemberInfo or Pointer || type.IsPrimitive || type.IsEnum)
            yield break;
        if (item is Array array)
        {
            if (type.GetElementType()!.IsPrimitive)
                yield break;
            int index = 0;
            foreach (object? element in array)
            {
                if (element is not null)
                    yield return (element, $"[{index}]");
                index++;
            }
            yield break;
        }
        for (Type? declaring = type; declaring is not null; declaring = declaring.BaseType)
        {
            foreach (FieldInfo field in declaring.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (!field.FieldType.IsPointer && !field.FieldType.IsByRefLike && field.GetValue(item) is { } value)
                    yield return (value, $"{field.Name}({value.GetType().Name})");
            }
        }
    }
}
