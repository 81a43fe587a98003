namespace Clickstream.Consumers.Storage;

/// <summary>The command-line arguments of initdb and postgres: where the server's settings are decided.</summary>
internal static class PostgresArguments
{
    public static List<string> InitDb(string dataDirectory, EmbeddedPostgresOptions options, string superuser)
    {
        List<string> arguments =
        [
            "--pgdata", dataDirectory,
            "--username", superuser,
            // Nothing is trusted over TCP, not even for a moment: until the superuser has its password and pg_hba.conf
            // asks for it (EmbeddedPostgresAuthentication, before the server first listens), TCP is refused outright.
            // There is no unix socket, so "local" is only the single-user backend that sets that password.
            "--auth-host=reject",
            "--auth-local=trust",
            "--encoding=UTF8",
            // C collation: byte order, the same on every machine and free of glibc collation-version drift.
            "--locale=C",
            "--no-instructions",
        ];
        if (!options.Durable)
        {
            arguments.Add("--no-sync");
        }

        return arguments;
    }

    /// <summary>postgres in single-user mode on <paramref name="database"/>: no listener at all, commands on standard input.</summary>
    public static List<string> SingleUser(EmbeddedPostgresOptions options, string dataDirectory, string database)
    {
        List<string> arguments = ["--single", "-D", dataDirectory, "-c", "unix_socket_directories=", "-c", "listen_addresses="];
        if (!options.Durable)
        {
            arguments.AddRange(["-c", "fsync=off"]);
        }

        arguments.Add(database);
        return arguments;
    }

    public static List<string> Server(EmbeddedPostgresOptions options, string dataDirectory, string host, int port)
    {
        List<string> arguments =
        [
            "-D", dataDirectory,
            "-p", port.ToString(),
            "-c", $"listen_addresses={host}",
            // No unix socket: its default folder (/var/run/postgresql) may be missing or taken by another server.
            "-c", "unix_socket_directories=",
        ];
        if (!options.Durable)
        {
            arguments.AddRange(["-c", "fsync=off", "-c", "full_page_writes=off"]);
        }

        foreach (var (name, value) in options.ServerSettings)
        {
            arguments.AddRange(["-c", $"{name}={value}"]);
        }

        return arguments;
    }
}
