using System.Security.Cryptography;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// The embedded server's superuser password, generated once per data folder and kept in it as a libpq password file
/// (<see cref="FileName"/>, mode 0600, owner only), so the next run of the same folder finds it and people connect with
/// <c>PGPASSFILE=&lt;file&gt; psql ...</c>. libpq ignores a password file that others may read, so the mode is part of the
/// contract, not a nicety.
/// </summary>
public sealed record EmbeddedPostgresCredentials(string UserName, string Password)
{
    public const string FileName = "clickstream-superuser.pgpass";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The password file of the server whose data folder is <paramref name="dataDirectory"/>.</summary>
    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    /// <summary>A new superuser with a random password: 32 bytes, URL-safe base64 (none of pgpass's ':' or '\').</summary>
    public static EmbeddedPostgresCredentials Generate(string userName) =>
        new(userName, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'));

    /// <summary>The credentials kept in <paramref name="dataDirectory"/>, or null when there are none (a new folder, or one from before they existed).</summary>
    public static EmbeddedPostgresCredentials? Read(string dataDirectory)
    {
        var path = PathIn(dataDirectory);
        if (!File.Exists(path))
        {
            return null;
        }

        // host:port:database:user:password; the first line that is not a comment is ours.
        var line = File.ReadLines(path).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'));
        var fields = line?.Split(':');
        return fields is { Length: 5 } && fields[4].Length > 0 ? new EmbeddedPostgresCredentials(fields[3], fields[4]) : null;
    }

    /// <summary>Writes the password file owner-only, atomically: a crash leaves the old file or the new one, never half of one.</summary>
    public void Write(string dataDirectory)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The embedded PostgreSQL server runs on Linux only.");
        }

        var path = PathIn(dataDirectory);
        var partial = path + ".partial";
        File.Delete(partial);
        using (var stream = new FileStream(partial, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = OwnerOnly,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.WriteLine("# The embedded PostgreSQL's superuser, written by Clickstream (libpq password file; keep it mode 0600).");
            writer.WriteLine($"# Connect with: PGPASSFILE={path} psql -h 127.0.0.1 -p <port> -U {UserName} <database>");
            writer.WriteLine($"127.0.0.1:*:*:{UserName}:{Password}");
        }
        File.Move(partial, path, overwrite: true);
    }
}
