using Microsoft.Data.Sqlite;

namespace Timeline.Api.Storage;

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
