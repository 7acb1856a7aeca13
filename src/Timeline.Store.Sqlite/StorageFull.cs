using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Recognises "no space left": SQLite's SQLITE_FULL (the database or its write-ahead log could not grow), and an
/// I/O error whose cause is a full volume (ENOSPC on Linux and macOS, ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL on
/// Windows), wherever it is wrapped.
/// </summary>
public static class StorageFull
{
    private const int SqliteFull = 13;
    private const int Enospc = 28;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);

    public static bool Is(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException sqlite when (sqlite.SqliteErrorCode & 0xFF) == SqliteFull:
                    return true;
                case IOException io when io.HResult is Enospc or WindowsDiskFull or WindowsHandleDiskFull:
                    return true;
            }
        }

        return false;
    }
}

/// <summary>
/// Whether the store last ran out of space, for readiness: a write, import or backup that failed for want of space
/// marks it, with the free space its volume had then; readiness reports it (503) until the volume has room again
/// (<see cref="Headroom"/> more than at the failure), and then clears it. Writes themselves need no reset: SQLite
/// takes them again as soon as there is room.
/// </summary>
public sealed class StoreSpace(SqliteConnections database, TimeProvider clock)
{
    /// <summary>How much more free space than at the failure counts as "room again".</summary>
    public const long Headroom = 4L * 1024 * 1024;

    private readonly Lock _lock = new();
    private StoreShortage? _shortage;

    /// <summary>When and with how much free space the store last ran out of room.</summary>

    /// <summary>
    /// Notes that an operation failed for want of space, when it is the store's volume that is short of it (a backup
    /// directory on another, full volume leaves the store ready: its reads and writes still work).
    /// </summary>
    public void ReportFull()
    {
        var free = FreeBytes();
        if (free is > ShortOfSpace)
        {
            return;
        }

        var shortage = new StoreShortage(clock.GetUtcNow(), free ?? 0);
        lock (_lock)
        {
            _shortage = shortage;
        }
    }

    /// <summary>Below this much free space, a failure for want of space is the store's own.</summary>
    public const long ShortOfSpace = 64L * 1024 * 1024;

    /// <summary>The shortage still in force, or null once the volume has room again.</summary>
    public StoreShortage? Current()
    {
        lock (_lock)
        {
            if (_shortage is { } shortage && FreeBytes() is { } free && free >= shortage.FreeBytes + Headroom)
            {
                _shortage = null;
            }

            return _shortage;
        }
    }

    private long? FreeBytes()
    {
        try
        {
            var folder = Path.GetDirectoryName(database.FilePath);
            return string.IsNullOrEmpty(folder) ? null : new DriveInfo(folder).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
