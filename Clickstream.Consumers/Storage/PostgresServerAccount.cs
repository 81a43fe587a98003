namespace Clickstream.Consumers.Storage;

/// <summary>
/// The account initdb and postgres run as. PostgreSQL refuses to run as root, so when we are root they run as
/// the <c>postgres</c> user, and their data folder must be one that user owns and can reach.
/// </summary>
internal sealed class PostgresServerAccount
{
    private const string UserName = "postgres";

    private readonly IReadOnlyList<string> switchUser;

    private PostgresServerAccount(IReadOnlyList<string> switchUser) => this.switchUser = switchUser;

    public static async Task<PostgresServerAccount> DetectAsync(CancellationToken cancellationToken)
    {
        if (!Unix.IsRoot)
        {
            return new PostgresServerAccount([]);
        }

        var user = await ChildProcess.RunAsync("id", ["-u", UserName], cancellationToken);
        if (!user.Succeeded)
        {
            throw new EmbeddedPostgresException(
                "Running as root, PostgreSQL must run as the 'postgres' user, and there is none. "
                + "Installing the server creates it (Debian: apt-get install postgresql-15).");
        }

        // setpriv execs in place, so the process we start is postgres itself; runuser stays as its parent.
        return new PostgresServerAccount(FindOnPath("setpriv") is { } setpriv
            ? [setpriv, $"--reuid={UserName}", $"--regid={UserName}", "--init-groups", "--"]
            : [FindOnPath("runuser") ?? "runuser", "-u", UserName, "--"]);
    }

    /// <summary>The command line that runs <paramref name="program"/> as this account.</summary>
    public IReadOnlyList<string> CommandLine(string program, IEnumerable<string> arguments) =>
        [.. switchUser, program, .. arguments];

    public Task<ChildProcess.Outcome> RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken, string? input = null)
    {
        var commandLine = CommandLine(program, arguments);
        return ChildProcess.RunAsync(commandLine[0], commandLine.Skip(1), cancellationToken, input);
    }

    /// <summary>Creates the data folder if needed and hands it to this account, or says where to put it instead.</summary>
    public async Task PrepareDataDirectoryAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The embedded PostgreSQL server runs on Linux only.");
        }

        if (switchUser.Count == 0)
        {
            Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return;
        }

        // Checked before creating anything, so a refused folder under /root leaves nothing behind.
        await EnsureReachableAsync(dataDirectory, cancellationToken);
        Directory.CreateDirectory(Path.GetDirectoryName(dataDirectory)!);
        Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await EnsureReachableAsync(dataDirectory, cancellationToken); // a strict umask may have closed new parents

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            var chown = await ChildProcess.RunAsync("chown", [$"{UserName}:{UserName}", dataDirectory], cancellationToken);
            if (!chown.Succeeded)
            {
                throw new EmbeddedPostgresException($"Could not hand '{dataDirectory}' to the postgres user: {chown.Output}");
            }
        }
    }

    private async Task EnsureReachableAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var ancestors = new List<string>();
        for (var folder = Path.GetDirectoryName(dataDirectory); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (Directory.Exists(folder))
            {
                ancestors.Insert(0, folder);
            }
        }

        const string firstClosedFolder = "for d do [ -x \"$d\" ] || { echo \"$d\"; exit 1; }; done";
        var check = await RunAsync("/bin/sh", ["-c", firstClosedFolder, "sh", .. ancestors], cancellationToken);
        if (!check.Succeeded)
        {
            var closed = check.Output.Trim();
            throw new EmbeddedPostgresException(
                $"PostgreSQL runs as the postgres user (it refuses to run as root), and postgres cannot enter '{closed}', "
                + $"so it cannot reach the data folder '{dataDirectory}'. Put the data folder where postgres can reach it "
                + $"(for example /var/lib/clickstream/postgres, or leave DataDirectory unset for a throwaway folder under /tmp), "
                + $"or open '{closed}' to it (chmod o+x '{closed}').");
        }
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
}
