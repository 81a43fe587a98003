namespace Clickstream.Tests.Faults;

/// <summary>
/// The fault scenarios run one after another (each starts several processes, a broker and a server of its own), while
/// the rest of the suite runs beside them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FaultsCollection
{
    public const string Name = "Faults";
}
