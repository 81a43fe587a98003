namespace Clickstream.Tests.Infrastructure;

/// <summary>The checkout the tests were built from: the folder above the test output that holds Clickstream.sln.</summary>
internal static class RepositoryFolder
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "Clickstream.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"No Clickstream.sln above {AppContext.BaseDirectory}.");
    }
}
