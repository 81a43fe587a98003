using Microsoft.Playwright;

namespace Clickstream.Tests.Infrastructure;

/// <summary>
/// A real browser for tests of what a page shows: Playwright driving Debian's Chromium (<see cref="ExecutablePath"/>,
/// installed by <c>apt-get install chromium</c>; .ci/run installs it when missing), headless. Playwright's own browser
/// download is never used: it cannot be reached from the build machines. One browser per test class (a class
/// fixture); each test gets a context of its own, so cookies and storage never leak between tests.
/// </summary>
public sealed class HeadlessChromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not started.");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: install Debian's chromium (apt-get install -y chromium).");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // A failsafe for a browser that never starts, not a speed claim.
            Timeout = (float)TimeSpan.FromMinutes(1).TotalMilliseconds,
        });
    }

    /// <summary>A page in a fresh context, with a viewport wide enough for a dashboard screenshot.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Saves the whole page as a PNG to <c>screenshots/</c> in the test output folder, and to <paramref name="alsoTo"/>
    /// when given (relative to the repository root): how a test makes a picture for the docs. Returns the first path.
    /// </summary>
    public static async Task<string> SaveScreenshotAsync(IPage page, string fileName, string? alsoTo = null)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, fileName);
        var png = await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        if (!string.IsNullOrWhiteSpace(alsoTo))
        {
            var target = Path.IsPathRooted(alsoTo) ? alsoTo : Path.Combine(RepositoryFolder.Path, alsoTo);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllBytesAsync(target, png);
        }
        return path;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}
