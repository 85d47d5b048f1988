using System.Data;
using PageDb.Data;

namespace PageDb.Sql.Tests.Data;

/// <summary>The provider's own behaviour: connection strings, modes, readers and errors.</summary>
[TestFixture]
public sealed class PageDbConnectionTests
{
    [Test]
    public void A_bad_connection_string_names_what_is_wrong()
    {
        using var connection = new PageDbConnection("Data Source=x.pagedb;Mode=Sideways");
        Assert.That(() => connection.Open(), Throws.ArgumentException.With.Message.Contains("Mode"));
        using var noSource = new PageDbConnection("Mode=Memory");
        Assert.That(() => noSource.Open(), Throws.ArgumentException.With.Message.Contains("Data Source"));
    }

    [Test]
    public void A_reader_gives_typed_values_field_types_and_a_schema_table()
    {
        using var db = new PageDbConnection($"Data Source=reader-{Guid.NewGuid():N};Mode=Memory");
        db.Open();
        using PageDbCommand command = db.CreateCommand();
        command.CommandText = "SELECT 1 AS i, 2.5 AS r, 'x' AS t, NULL AS n, X'0102' AS b";
        using PageDbDataReader reader = command.ExecuteReader();
        Assert.That(reader.Read(), Is.True);
        Assert.That((reader.GetInt32(0), reader.GetDouble(1), reader.GetString(2), reader.IsDBNull(3)), Is.EqualTo((1, 2.5, "x", true)));
        Assert.That(reader.GetFieldType(0), Is.EqualTo(typeof(long)));
        Assert.That(reader.GetFieldType(1), Is.EqualTo(typeof(double)));
        Assert.That(reader.GetValue(4), Is.EqualTo(new byte[] { 1, 2 }));
        Assert.That(reader.GetOrdinal("T"), Is.EqualTo(2));
        DataTable schema = reader.GetSchemaTable();
        Assert.That(schema.Rows.Count, Is.EqualTo(5));
        Assert.That(reader.Read(), Is.False);
    }

    [Test]
    public void A_missing_parameter_is_a_SqlException_naming_it()
    {
        using var db = new PageDbConnection($"Data Source=params-{Guid.NewGuid():N};Mode=Memory");
        db.Open();
        using PageDbCommand command = db.CreateCommand();
        command.CommandText = "SELECT @missing + 1";
        Assert.That(() => command.ExecuteScalar(), Throws.TypeOf<SqlException>().With.Message.Contains("@missing"));
        command.Parameters.AddWithValue("missing", 41);
        Assert.That(command.ExecuteScalar(), Is.EqualTo(42L));
    }

    [Test]
    public void Positional_parameters_bind_in_order()
    {
        using var db = new PageDbConnection($"Data Source=positional-{Guid.NewGuid():N};Mode=Memory");
        db.Open();
        using PageDbCommand command = db.CreateCommand();
        command.CommandText = "SELECT ? || '-' || ?";
        command.Parameters.Add(new PageDbParameter { Value = "a" });
        command.Parameters.Add(new PageDbParameter { Value = "b" });
        Assert.That(command.ExecuteScalar(), Is.EqualTo("a-b"));
    }

    [Test]
    public void A_read_only_connection_refuses_writes()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ro-{Guid.NewGuid():N}.pagedb");
        try
        {
            using (var writer = new PageDbConnection($"Data Source={path}"))
            {
                writer.Open();
                using PageDbCommand create = writer.CreateCommand();
                create.CommandText = "CREATE TABLE t(x INTEGER)";
                create.ExecuteNonQuery();
            }
            using var reader = new PageDbConnection($"Data Source={path};Mode=ReadOnly");
            reader.Open();
            using PageDbCommand insert = reader.CreateCommand();
            insert.CommandText = "INSERT INTO t VALUES (1)";
            Assert.That(() => insert.ExecuteNonQuery(), Throws.InstanceOf<Exception>());
            insert.CommandText = "SELECT count(*) FROM t";
            Assert.That(insert.ExecuteScalar(), Is.EqualTo(0L));
        }
        finally
        {
            foreach (string file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*"))
                File.Delete(file);
        }
    }
}
