namespace Edge.Integration.Tests;

/// <summary>A temporary folder deleted at the end of the test.</summary>
public sealed class TempFolder : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("edge-it-");

    public string Path(string name) => System.IO.Path.Combine(_folder.FullName, name);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }
}
