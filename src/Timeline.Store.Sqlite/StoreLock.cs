namespace Timeline.Store.Sqlite;

/// <summary>
/// Who is using a store file, told by an OS lock on a companion file (timeline.db.lock): every serving process
/// holds a shared lock for as long as it runs; <c>restore</c> needs the exclusive lock, so it cannot swap the
/// file under a running server, and a server cannot start while a restore is swapping it. The OS drops the lock
/// when its process ends, however it ends, so a crash never leaves the store locked. (On Linux and macOS .NET
/// takes these as advisory flock locks; on Windows as share modes.)
/// </summary>
public sealed class StoreLock : IDisposable
{
    private readonly FileStream _file;

    private StoreLock(FileStream file) => _file = file;

    /// <summary>The lock file of a store.</summary>
    public static string PathFor(string databasePath) => databasePath + ".lock";

    /// <summary>A shared lock, as a serving process holds; null when a restore holds the store.</summary>
    public static StoreLock? TryShared(string databasePath) => TryOpen(databasePath, FileAccess.Read, FileShare.ReadWrite);

    /// <summary>The exclusive lock a restore needs; null when any process serves the store.</summary>
    public static StoreLock? TryExclusive(string databasePath) => TryOpen(databasePath, FileAccess.ReadWrite, FileShare.None);

    public void Dispose() => _file.Dispose();

    private static StoreLock? TryOpen(string databasePath, FileAccess access, FileShare share)
    {
        var path = PathFor(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            return new StoreLock(new FileStream(path, FileMode.OpenOrCreate, access, share));
        }
        catch (IOException)
        {
            return null;
        }
    }
}
