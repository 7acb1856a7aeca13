using System.Text;
using SQLitePCL;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Sqlite;

/// <summary>
/// <see cref="CjkText.Spread"/> as an SQL function of every connection of the store, for the SQL that builds search rows
/// from the tables (<see cref="SearchIndex"/>, migration 0008): FTS5's unicode61 tokenizer then cuts each CJK character
/// as a token of its own.
/// </summary>
public static class CjkSqlFunction
{
    /// <summary>The name of the SQL function that spreads text (registered on every connection of the store).</summary>
    public const string Name = "timeline_fts_text";

    /// <summary>Registers <see cref="Name"/>(text) on a physical connection: <see cref="CjkText.Spread"/> as SQL.</summary>
    public static void Register(sqlite3 handle)
    {
        var rc = raw.sqlite3_create_function(handle, Name, 1, raw.SQLITE_UTF8 | raw.SQLITE_DETERMINISTIC, null, SpreadValue);
        if (rc != raw.SQLITE_OK)
        {
            throw new InvalidOperationException($"SQLite refused the function {Name} ({rc}).");
        }
    }

    private static void SpreadValue(sqlite3_context context, object userData, sqlite3_value[] args)
    {
        var value = args[0];
        if (raw.sqlite3_value_type(value) == raw.SQLITE_NULL)
        {
            raw.sqlite3_result_null(context);
            return;
        }

        // Every CJK character is at U+2E80 or above, which UTF-8 writes from the byte 0xE2 on: text without such a byte
        // (most of it) is given back as it is, without decoding it.
        var bytes = raw.sqlite3_value_blob(value);
        if (bytes.IndexOfAnyInRange((byte)0xE2, (byte)0xFF) < 0)
        {
            raw.sqlite3_result_text(context, bytes);
            return;
        }

        var text = Encoding.UTF8.GetString(bytes);
        var spread = CjkText.Spread(text)!;
        if (ReferenceEquals(spread, text))
        {
            raw.sqlite3_result_text(context, bytes);
        }
        else
        {
            raw.sqlite3_result_text(context, spread);
        }
    }
}
