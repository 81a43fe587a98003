using System.Runtime.InteropServices;

namespace Clickstream.Kafka.Embedded;

/// <summary>Finds the librdkafka that Confluent.Kafka loaded into this process.</summary>
internal static class LoadedLibrdkafka
{
    private static readonly Lazy<IntPtr> LoadedHandle = new(Load);

    internal static IntPtr Handle => LoadedHandle.Value;

    /// <summary>The file the handle was opened from, for diagnostics.</summary>
    internal static string? Path { get; private set; }

    private static IntPtr Load()
    {
        // Asking for the version makes Confluent.Kafka pick and load its native library (it tries the default
        // build first, then falls back to builds such as centos8 when a dependency like libsasl2 is missing).
        _ = Confluent.Kafka.Library.Version;

        Path = FindMappedLibrary();
        if (Path is not null)
        {
            // dlopen of a file already mapped returns the same handle: no second copy is loaded.
            return NativeLibrary.Load(Path);
        }

        // No /proc (not Linux): fall back to the runtime's normal probing, which is what Confluent.Kafka uses too.
        return NativeLibrary.Load("librdkafka", typeof(LoadedLibrdkafka).Assembly, DllImportSearchPath.SafeDirectories);
    }

    private static string? FindMappedLibrary()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            return null;
        }

        foreach (var line in File.ReadLines(maps))
        {
            var start = line.IndexOf('/');
            if (start < 0)
            {
                continue;
            }
            var file = line[start..];
            if (System.IO.Path.GetFileName(file).Contains("librdkafka.so", StringComparison.Ordinal))
            {
                return file;
            }
        }
        return null;
    }
}
