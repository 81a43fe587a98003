using System.Text;
using Clickstream.Api.Ingestion;
using Clickstream.Tests.Infrastructure;
using Npgsql;

namespace Clickstream.Tests.Api;

/// <summary>The API's jsonb number check against the real thing: PostgreSQL's own answer for each number at the edges.</summary>
public sealed class StoredNumberTests
{
    [Fact]
    public async Task The_check_agrees_with_PostgreSQL_on_every_number_at_the_edges_of_jsonb_numeric()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestPostgres.ServerConnectionStringAsync());
        var disagreements = new List<string>();
        var accepted = 0;

        foreach (var number in EdgeNumbers())
        {
            var postgres = await JsonbTakesAsync(dataSource, number);
            accepted += postgres ? 1 : 0;
            if (StoredNumber.IsStorable(Encoding.UTF8.GetBytes(number)) != postgres)
            {
                disagreements.Add($"{(number.Length > 40 ? number[..20] + "…" + number[^20..] : number)} (length {number.Length}): PostgreSQL {(postgres ? "takes" : "refuses")} it");
            }
        }

        Assert.Empty(disagreements);
        Assert.InRange(accepted, 50, EdgeNumbers().Count() - 50); // both sides of every edge were tried
    }

    private static IEnumerable<string> EdgeNumbers()
    {
        string[] mantissas = ["1", "-1", "9.9999", "10", "0.1", "0.0001", "0", "-0.0", "123.456", "1.5", "1000", "0.00"];
        long[] exponents = [0, 131_067, 131_068, 131_070, 131_071, 131_072, 131_073, 131_075, 131_076, -16_380, -16_381, -16_382, -16_383, -16_384,
            -16_385, 1_073_741_822, 1_073_741_823, -1_073_741_822, -1_073_741_823, 99_999_999_999];
        foreach (var mantissa in mantissas)
        {
            foreach (var exponent in exponents)
            {
                yield return $"{mantissa}e{exponent}";
            }
            yield return $"{mantissa}E+{131_071}";
            yield return $"{mantissa}e-000{16_383}";
        }
        foreach (var digits in new[] { 16_382, 16_383, 16_384 })
        {
            yield return "0." + new string('0', digits - 1) + "1";
            yield return "1." + new string('0', digits);
            yield return "-7." + new string('3', digits) + "e1";
        }
        yield return "9" + new string('9', 30_000);
        yield return "1" + new string('0', 131_071);
        yield return "1" + new string('0', 131_072);
    }

    private static async Task<bool> JsonbTakesAsync(NpgsqlDataSource dataSource, string number)
    {
        await using var command = dataSource.CreateCommand("SELECT ('{\"n\":' || $1 || '}')::jsonb IS NOT NULL");
        command.Parameters.Add(new NpgsqlParameter { Value = number });
        try
        {
            return (bool)(await command.ExecuteScalarAsync())!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.NumericValueOutOfRange)
        {
            return false;
        }
    }
}
