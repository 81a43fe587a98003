namespace Clickstream.Consumers.Storage;

/// <summary>The installed PostgreSQL server programs that <see cref="EmbeddedPostgres"/> runs.</summary>
internal sealed record PostgresBinaries(string BinDirectory)
{
    public const string BinDirectoryVariable = "CLICKSTREAM_PG_BIN";

    public string InitDb => Path.Combine(BinDirectory, "initdb");

    public string Postgres => Path.Combine(BinDirectory, "postgres");

    public string Psql => Path.Combine(BinDirectory, "psql");

    /// <summary>A folder the caller named is used or rejected as is; otherwise the usual places are searched.</summary>
    public static async Task<PostgresBinaries> LocateAsync(string? configured, CancellationToken cancellationToken)
    {
        if (configured is not null)
        {
            return Accept(configured) ?? throw Missing($"The configured BinDirectory '{configured}'");
        }

        var fromVariable = Environment.GetEnvironmentVariable(BinDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(fromVariable))
        {
            return Accept(fromVariable) ?? throw Missing($"{BinDirectoryVariable}='{fromVariable}'");
        }

        return Accept(await PgConfigBinDirectoryAsync(cancellationToken))
            ?? Accept(HighestDebianBinDirectory())
            ?? throw Missing("Neither pg_config --bindir nor /usr/lib/postgresql/*/bin");
    }

    private static PostgresBinaries? Accept(string? folder)
    {
        if (string.IsNullOrWhiteSpace(folder))
        {
            return null;
        }

        var binaries = new PostgresBinaries(Path.GetFullPath(folder));
        return File.Exists(binaries.InitDb) && File.Exists(binaries.Postgres) ? binaries : null;
    }

    // libpq-dev ships pg_config without the server, so its answer is only a candidate.
    private static async Task<string?> PgConfigBinDirectoryAsync(CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await ChildProcess.RunAsync("pg_config", ["--bindir"], cancellationToken);
            return outcome.Succeeded ? outcome.Output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // pg_config is not installed
        }
    }

    private static string? HighestDebianBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.EnumerateDirectories(root)
            .Select(folder => (Folder: folder, Version: decimal.TryParse(Path.GetFileName(folder), out var v) ? v : -1))
            .Where(candidate => candidate.Version >= 0)
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => Path.Combine(candidate.Folder, "bin"))
            .FirstOrDefault(bin => Accept(bin) is not null);
    }

    private static EmbeddedPostgresException Missing(string whereLooked) => new(
        $"{whereLooked} has no PostgreSQL server programs (initdb and postgres). "
        + "Install them (Debian: apt-get install postgresql-15) or set "
        + $"{BinDirectoryVariable} to their folder; or use a running server instead: "
        + "set CLICKSTREAM_TEST_POSTGRES to its connection string for the tests, "
        + "ConnectionStrings__Events for the app.");
}
