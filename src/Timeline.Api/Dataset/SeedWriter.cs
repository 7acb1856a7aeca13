using System.Data;
using System.Text.Json;
using Dapper;
using Timeline.Api.Dates;
using Timeline.Api.Storage;

namespace Timeline.Api.Dataset;

/// <summary>Writes a validated dataset into the store, inside the caller's transaction.</summary>
public static class SeedWriter
{
    public static async Task WriteAsync(IDbConnection connection, IDbTransaction transaction, ValidatedDataset dataset, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stamp = Timestamps.Format(now);

        await Execute(
            """
            INSERT INTO sources (id, title, publisher, author, published_date, url, text, sha256, notes)
            VALUES (@Id, @Title, @Publisher, @Author, @PublishedDate, @Url, @Text, @Sha256, @Notes);
            """,
            dataset.Sources.Select(s => new
            {
                s.Id,
                s.Title,
                s.Publisher,
                s.Author,
                PublishedDate = s.PublishedDate?.ToString(),
                s.Url,
                s.Text,
                s.Sha256,
                Notes = JsonSerializer.Serialize(s.Notes),
            }));

        await Execute(
            "INSERT INTO entities (id, name, kind, country, description) VALUES (@Id, @Name, @Kind, @Country, @Description);",
            dataset.Entities);

        await Execute(
            "INSERT INTO entity_aliases (entity_id, ordinal, alias) VALUES (@EntityId, @Ordinal, @Alias);",
            dataset.Entities.SelectMany(e => e.Aliases.Select((alias, i) => new { EntityId = e.Id, Ordinal = i, Alias = alias })));

        await Execute(
            """
            INSERT INTO events (id, date, date_precision, end_date, first_day, last_day, title, summary, category, caveats, created_at, updated_at, version)
            VALUES (@Id, @Date, @Precision, @EndDate, @FirstDay, @LastDay, @Title, @Summary, @Category, @Caveats, @Stamp, @Stamp, 1);
            """,
            dataset.Events.Select(e => new
            {
                e.Id,
                Date = e.Date.ToString(),
                Precision = (int)e.Date.Precision,
                EndDate = e.EndDate?.ToString(),
                FirstDay = PartialDate.FormatDay(e.FirstDay),
                LastDay = PartialDate.FormatDay(e.LastDay),
                e.Title,
                e.Summary,
                e.Category,
                Caveats = JsonSerializer.Serialize(e.Caveats),
                Stamp = stamp,
            }));

        await Execute(
            "INSERT INTO event_tags (event_id, tag) VALUES (@EventId, @Tag);",
            dataset.Events.SelectMany(e => e.Tags.Select(tag => new { EventId = e.Id, Tag = tag })));

        await Execute(
            "INSERT INTO event_entities (event_id, entity_id, role, ordinal) VALUES (@EventId, @EntityId, @Role, @Ordinal);",
            dataset.Events.SelectMany(e => e.Entities.Select((link, i) => new { EventId = e.Id, link.EntityId, link.Role, Ordinal = i })));

        await Execute(
            """
            INSERT INTO citations (event_id, ordinal, source_id, quote, start_offset, end_offset)
            VALUES (@EventId, @Ordinal, @SourceId, @Quote, @StartOffset, @EndOffset);
            """,
            dataset.Events.SelectMany(e => e.Citations.Select((c, i) => new { EventId = e.Id, Ordinal = i, c.SourceId, c.Quote, c.StartOffset, c.EndOffset })));

        await SearchIndex.RebuildAsync(connection, transaction, cancellationToken);
        await SearchIndex.BumpDataVersionAsync(connection, transaction, now, cancellationToken);

        Task Execute(string sql, object rows) =>
            connection.ExecuteAsync(new CommandDefinition(sql, rows, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Removes every row of the timeline (not the schema), inside the caller's transaction.</summary>
    public static Task ClearAsync(IDbConnection connection, IDbTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM citations;
            DELETE FROM event_entities;
            DELETE FROM event_tags;
            DELETE FROM events;
            DELETE FROM entity_aliases;
            DELETE FROM entities;
            DELETE FROM sources;
            """,
            transaction: transaction,
            cancellationToken: cancellationToken));
}
