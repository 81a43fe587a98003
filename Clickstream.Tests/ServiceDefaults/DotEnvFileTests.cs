using Clickstream.ServiceDefaults.Configuration;

namespace Clickstream.Tests.ServiceDefaults;

/// <summary>The .env syntax of python-dotenv, which the original service's deployments were written for.</summary>
public sealed class DotEnvFileTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    private static string? Value(string text, string key, Func<string, string?>? environment = null) =>
        DotEnvFile.Parse(text, "/srv/.env", environment ?? NoEnvironment).LastOrDefault(v => v.Key == key).Value;

    [Theory]
    [InlineData("KAFKA_TOPIC=raw_events", "raw_events")]
    [InlineData("  KAFKA_TOPIC =  raw_events  ", "raw_events")]
    [InlineData("export KAFKA_TOPIC=raw_events", "raw_events")]
    [InlineData("KAFKA_TOPIC=raw_events # the seed's topic", "raw_events")]
    [InlineData("KAFKA_TOPIC=raw#events", "raw#events")]
    [InlineData("KAFKA_TOPIC='raw events # not a comment'", "raw events # not a comment")]
    [InlineData("KAFKA_TOPIC=\"raw\\tevents\"", "raw\tevents")]
    [InlineData("KAFKA_TOPIC='raw\\tevents'", "raw\\tevents")]
    [InlineData("KAFKA_TOPIC=\"say \\\"hi\\\"\" # comment", "say \"hi\"")]
    [InlineData("KAFKA_TOPIC=", "")]
    [InlineData("KAFKA_TOPIC=\"\"", "")]
    [InlineData("KAFKA_TOPIC=a=b", "a=b")]
    public void A_line_gives_the_value_python_dotenv_gives(string line, string expected) =>
        Assert.Equal(expected, Value(line, "KAFKA_TOPIC"));

    [Fact]
    public void Comments_blank_lines_and_windows_line_ends_are_skipped_and_a_later_line_wins()
    {
        var text = "# Kafka\r\n\r\nKAFKA_TOPIC=first\r\n   # indented comment\r\nKAFKA_TOPIC=second\r\nDB_HOST=db\r\n";
        var values = DotEnvFile.Parse(text, "/srv/.env", NoEnvironment);
        Assert.Equal(["KAFKA_TOPIC=second", "DB_HOST=db"], values.Select(v => $"{v.Key}={v.Value}"));
    }

    [Fact]
    public void A_quoted_value_may_span_lines() =>
        Assert.Equal("line one\nline two", Value("DB_PASS=\"line one\nline two\"\nDB_HOST=db", "DB_PASS"));

    [Fact]
    public void A_bare_name_sets_nothing() =>
        Assert.Empty(DotEnvFile.Parse("DB_PASS\n", "/srv/.env", NoEnvironment));

    [Fact]
    public void References_expand_from_the_environment_first_then_from_lines_above()
    {
        var text = "DB_HOST=db\nDB_USER=${USER}\nURL=postgres://${DB_HOST}:${DB_PORT:-5432}/x\nLITERAL='${DB_HOST}'";
        Func<string, string?> environment = name => name == "USER" ? "alice" : null;

        Assert.Equal("alice", Value(text, "DB_USER", environment));
        Assert.Equal("postgres://db:5432/x", Value(text, "URL", environment));
        Assert.Equal("${DB_HOST}", Value(text, "LITERAL", environment));
    }

    [Theory]
    [InlineData("KAFKA_TOPIC=raw\nthis is not a setting\n", 2, "expected '='")]
    [InlineData("=raw_events", 1, "must start with a name")]
    [InlineData("A=1\n\nDB_PASS=\"never closed\nB=2", 3, "never closed")]
    [InlineData("DB_PASS='secret' trailing", 1, "unexpected text")]
    public void A_malformed_line_is_an_error_naming_the_file_and_the_line(string text, int line, string problem)
    {
        var error = Assert.Throws<DotEnvFormatException>(() => DotEnvFile.Parse(text, "/srv/.env", NoEnvironment));
        Assert.StartsWith($"/srv/.env, line {line}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_no_values() =>
        Assert.Empty(DotEnvFile.Read(Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}", ".env"), NoEnvironment));
}
