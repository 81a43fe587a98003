using Microsoft.Extensions.Logging;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// Password authentication for the embedded server, settled before it first listens on TCP: the superuser gets the
/// folder's generated password (SCRAM-SHA-256), and pg_hba.conf accepts TCP connections with a password only.
/// A folder made by an earlier version (trust for everyone on 127.0.0.1, no password file) is brought forward the same
/// way, rows untouched: the password is set from a single-user backend, which listens on nothing.
/// </summary>
internal static class EmbeddedPostgresAuthentication
{
    private const string HbaFileName = "pg_hba.conf";

    private const string Hba = """
        # Written by Clickstream's embedded PostgreSQL: TCP on the loopback with a password (SCRAM-SHA-256) only, never trust.
        # The superuser's password is in clickstream-superuser.pgpass next to this file. There is no unix socket.
        # TYPE  DATABASE  USER  ADDRESS       METHOD
        host    all       all   127.0.0.1/32  scram-sha-256
        host    all       all   ::1/128       scram-sha-256

        """;

    public static async Task<EmbeddedPostgresCredentials> EnsureAsync(
        PostgresServerAccount account, PostgresBinaries binaries, string dataDirectory, EmbeddedPostgresOptions options,
        string superuser, bool newFolder, ILogger logger, CancellationToken cancellationToken)
    {
        var kept = EmbeddedPostgresCredentials.Read(dataDirectory);
        var hbaPath = Path.Combine(dataDirectory, HbaFileName);
        if (kept is not null && !AllowsWithoutPassword(await File.ReadAllLinesAsync(hbaPath, cancellationToken)))
        {
            return kept;
        }

        if (!newFolder)
        {
            EmbeddedPostgresLog.BringingForward(logger, dataDirectory);
        }
        var credentials = kept ?? EmbeddedPostgresCredentials.Generate(superuser);
        await SetPasswordAsync(account, binaries, dataDirectory, options, credentials, cancellationToken);
        // Truncated in place: the file keeps its owner (postgres, when we run as root) and mode.
        await File.WriteAllTextAsync(hbaPath, Hba, cancellationToken);
        // Last: a folder without its password file is brought forward again at the next start, whatever was done here.
        credentials.Write(dataDirectory);
        return credentials;
    }

    // trust (or no authentication at all) on any line, or a method that sends the password in clear.
    internal static bool AllowsWithoutPassword(IEnumerable<string> hbaLines) =>
        hbaLines
            .Select(line => line.Split('#')[0].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 4)
            .Any(fields => fields.Any(field => field is "trust" or "password" or "ident" or "peer"));

    private static async Task SetPasswordAsync(
        PostgresServerAccount account, PostgresBinaries binaries, string dataDirectory, EmbeddedPostgresOptions options,
        EmbeddedPostgresCredentials credentials, CancellationToken cancellationToken)
    {
        var role = "\"" + credentials.UserName.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        // One command per line: the single-user backend runs each line as it comes. The password arrives on stdin, never
        // on a command line (visible in ps) nor in a log.
        var commands = $"""
            SET password_encryption = 'scram-sha-256';
            ALTER ROLE {role} PASSWORD '{credentials.Password}';

            """;
        var outcome = await account.RunAsync(binaries.Postgres, PostgresArguments.SingleUser(options, dataDirectory, "postgres"), cancellationToken, commands);
        var output = outcome.Output.Replace(credentials.Password, "<password>", StringComparison.Ordinal);
        if (!outcome.Succeeded || output.Contains("ERROR:", StringComparison.Ordinal) || output.Contains("FATAL:", StringComparison.Ordinal))
        {
            throw new EmbeddedPostgresException(
                $"Could not set the superuser's password in '{dataDirectory}' (single-user postgres, exit code {outcome.ExitCode}):{Environment.NewLine}{output}");
        }
    }
}
