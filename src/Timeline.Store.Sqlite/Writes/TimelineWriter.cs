using System.Data;
using System.Text.Json;
using Dapper;
using Timeline.Model.Dataset;
using Timeline.Model.Dates;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Every write to the timeline goes through here, inside the caller's transaction: the row, its tags,
/// links and citations, its search row, and one immutable revision holding the resulting document.
/// The seed, imports and the API's writes all use it, so they cannot drift apart.
/// </summary>
public static class TimelineWriter
{
    /// <summary>Creates the source, or replaces it (restoring it if it was deleted). Returns the new version.</summary>
    public static async Task<long> WriteSourceAsync(IDbConnection c, IDbTransaction tx, ValidSource s, string action, Change change, CancellationToken ct)
    {
        var version = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO sources (id, title, publisher, author, published_date, url, text, sha256, notes,
                                 citation, document_number, effective_date, agencies, document_type, created_at, updated_at, version)
            VALUES (@Id, @Title, @Publisher, @Author, @PublishedDate, @Url, @Text, @Sha256, @Notes,
                    @Citation, @DocumentNumber, @EffectiveDate, @Agencies, @DocumentType, @Stamp, @Stamp, 1)
            ON CONFLICT (id) DO UPDATE SET
                title = excluded.title, publisher = excluded.publisher, author = excluded.author,
                published_date = excluded.published_date, url = excluded.url, text = excluded.text, sha256 = excluded.sha256,
                notes = excluded.notes, citation = excluded.citation, document_number = excluded.document_number,
                effective_date = excluded.effective_date, agencies = excluded.agencies, document_type = excluded.document_type,
                updated_at = excluded.updated_at, version = sources.version + 1,
                deleted_at = NULL, deleted_by = NULL
            RETURNING version;
            """,
            new
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
                s.Citation,
                s.DocumentNumber,
                EffectiveDate = s.EffectiveDate?.ToString(),
                Agencies = JsonSerializer.Serialize(s.Agencies),
                s.DocumentType,
                change.Stamp,
            },
            tx,
            cancellationToken: ct));
        await SearchIndex.RefreshSourceAsync(c, tx, s.Id, ct);
        await FormerIds.WriteAsync(c, tx, "source", s.Id, s.FormerIds, change, ct);
        await RecordAsync(c, tx, "source", s.Id, version, action, change, Documents.Serialize(Documents.From(s)), ct);
        return version;
    }

    /// <summary>Creates the entity, or replaces it (restoring it if it was deleted). Returns the new version.</summary>
    public static async Task<long> WriteEntityAsync(IDbConnection c, IDbTransaction tx, ValidEntity e, string action, Change change, CancellationToken ct)
    {
        // The events it involves carry its name and aliases in their search rows: they are indexed again when those change.
        const string NamesSql =
            """
            SELECT n.name || COALESCE((SELECT ' ; ' || group_concat(a.alias, ' ; ')
                                       FROM (SELECT a.alias FROM entity_aliases a WHERE a.entity_id = n.id ORDER BY a.ordinal) a), '')
            FROM entities n WHERE n.id = @Id;
            """;
        var namesBefore = await c.ExecuteScalarAsync<string?>(new CommandDefinition(NamesSql, new { e.Id }, tx, cancellationToken: ct));
        var version = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO entities (id, name, kind, country, description, standalone, created_at, updated_at, version)
            VALUES (@Id, @Name, @Kind, @Country, @Description, @Standalone, @Stamp, @Stamp, 1)
            ON CONFLICT (id) DO UPDATE SET
                name = excluded.name, kind = excluded.kind, country = excluded.country, description = excluded.description,
                standalone = excluded.standalone,
                updated_at = excluded.updated_at, version = entities.version + 1, deleted_at = NULL, deleted_by = NULL
            RETURNING version;
            """,
            new { e.Id, e.Name, e.Kind, e.Country, e.Description, Standalone = e.Standalone ? 1 : 0, change.Stamp },
            tx,
            cancellationToken: ct));
        await Execute(c, tx, "DELETE FROM entity_aliases WHERE entity_id = @Id;", new { e.Id }, ct);
        await Execute(c, tx, "INSERT INTO entity_aliases (entity_id, ordinal, alias) VALUES (@EntityId, @Ordinal, @Alias);",
            e.Aliases.Select((alias, i) => new { EntityId = e.Id, Ordinal = i, Alias = alias }), ct);
        await SearchIndex.RefreshEntityAsync(c, tx, e.Id, ct);
        var namesAfter = await c.ExecuteScalarAsync<string?>(new CommandDefinition(NamesSql, new { e.Id }, tx, cancellationToken: ct));
        if (namesBefore is not null && namesBefore != namesAfter)
        {
            await SearchIndex.RefreshEventsOfEntityAsync(c, tx, e.Id, ct);
        }

        await FormerIds.WriteAsync(c, tx, "entity", e.Id, e.FormerIds, change, ct);
        await RecordAsync(c, tx, "entity", e.Id, version, action, change, Documents.Serialize(Documents.From(e)), ct);
        return version;
    }

    /// <summary>
    /// Creates the event, or replaces it (restoring it if it was deleted), and places it on the timeline
    /// (<see cref="TimelineOrder"/>) unless the caller places many events at once afterwards. Returns the new version.
    /// </summary>
    public static async Task<long> WriteEventAsync(IDbConnection c, IDbTransaction tx, ValidEvent e, string action, Change change, CancellationToken ct, bool place = true)
    {
        var row = await c.QuerySingleAsync<(long Seq, long Version)>(new CommandDefinition(
            """
            INSERT INTO events (id, date, date_precision, end_date, first_day, last_day, title, summary, category, caveats, tags, refs, created_at, updated_at, version)
            VALUES (@Id, @Date, @Precision, @EndDate, @FirstDay, @LastDay, @Title, @Summary, @Category, @Caveats, @Tags, @Refs, @Stamp, @Stamp, 1)
            ON CONFLICT (id) DO UPDATE SET
                date = excluded.date, date_precision = excluded.date_precision, end_date = excluded.end_date,
                first_day = excluded.first_day, last_day = excluded.last_day, title = excluded.title, summary = excluded.summary,
                category = excluded.category, caveats = excluded.caveats, tags = excluded.tags, refs = excluded.refs, updated_at = excluded.updated_at,
                version = events.version + 1, deleted_at = NULL, deleted_by = NULL
            RETURNING seq, version;
            """,
            new
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
                Tags = StoredTags(e.Tags),
                Refs = StoredReferences(e.References),
                change.Stamp,
            },
            tx,
            cancellationToken: ct));
        var previousEntities = await c.QueryAsync<string>(new CommandDefinition("SELECT entity_id FROM event_entities WHERE event_id = @Id;", new { e.Id }, tx, cancellationToken: ct));
        await Execute(c, tx, "DELETE FROM event_tags WHERE event_id = @Id; DELETE FROM event_entities WHERE event_id = @Id; DELETE FROM citations WHERE event_id = @Id;", new { e.Id }, ct);
        await Execute(c, tx, "INSERT INTO event_tags (event_id, tag) VALUES (@EventId, @Tag);", e.Tags.Select(tag => new { EventId = e.Id, Tag = tag }), ct);
        await Execute(c, tx, "INSERT INTO event_entities (event_id, entity_id, role, ordinal) VALUES (@EventId, @EntityId, @Role, @Ordinal);",
            e.Entities.Select((link, i) => new { EventId = e.Id, link.EntityId, link.Role, Ordinal = i }), ct);
        await Execute(c, tx,
            "INSERT INTO citations (event_id, ordinal, source_id, quote, start_offset, end_offset) VALUES (@EventId, @Ordinal, @SourceId, @Quote, @StartOffset, @EndOffset);",
            e.Citations.Select((cit, i) => new { EventId = e.Id, Ordinal = i, cit.SourceId, cit.Quote, cit.StartOffset, cit.EndOffset }), ct);
        await TimelineOrder.RefreshEntityTimelineAsync(c, tx, e.Id, row.Seq, previousEntities, ct);
        await SearchIndex.RefreshEventsAsync(c, tx, [row.Seq], ct);
        if (place)
        {
            await TimelineOrder.PlaceAsync(c, tx, [e.Id], ct);
        }

        await EventLinks.WriteAsync(c, tx, e, ct);
        await FormerIds.WriteAsync(c, tx, "event", e.Id, e.FormerIds, change, ct);
        await RecordAsync(c, tx, "event", e.Id, row.Version, action, change, Documents.Serialize(Documents.From(e)), ct);
        return row.Version;
    }

    /// <summary>Marks a resource deleted (or restores it), adding a revision with its document as it stands. Returns the new version.</summary>
    public static async Task<long> SetDeletedAsync(IDbConnection c, IDbTransaction tx, string resource, string id, bool deleted, string document, Change change, CancellationToken ct)
    {
        var table = Table(resource);
        var version = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            $"""
            UPDATE {table}
            SET deleted_at = @DeletedAt, deleted_by = @DeletedBy, version = version + 1, updated_at = @Stamp
            WHERE id = @id
            RETURNING version;
            """,
            new { id, DeletedAt = deleted ? change.Stamp : null, DeletedBy = deleted ? change.Actor : null, change.Stamp },
            tx,
            cancellationToken: ct));

        // Deleted records leave the search index; restored ones come back.
        switch (resource)
        {
            case "event":
                var seq = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT seq FROM events WHERE id = @id;", new { id }, tx, cancellationToken: ct));
                await SearchIndex.RefreshEventsAsync(c, tx, [seq], ct);
                if (!deleted)
                {
                    await TimelineOrder.PlaceAsync(c, tx, [id], ct); // other events may have taken its place while it was deleted
                }

                break;
            case "entity":
                await SearchIndex.RefreshEntityAsync(c, tx, id, ct);
                break;
            case "source":
                await SearchIndex.RefreshSourceAsync(c, tx, id, ct);
                break;
        }

        await RecordAsync(c, tx, resource, id, version, deleted ? "delete" : "restore", change, document, ct);
        return version;
    }

    /// <summary>The tags as the events table keeps them (<see cref="StoredColumns.Tags"/>).</summary>
    public static string StoredTags(IEnumerable<string> tags) => StoredColumns.Tags(tags);

    /// <summary>The references as the events table keeps them (<see cref="StoredColumns.References"/>).</summary>
    public static string StoredReferences(IReadOnlyList<ValidReference> references) => StoredColumns.References(references);

    /// <summary>Moves the store's data version forward; once per write transaction.</summary>
    public static Task<int> TouchAsync(IDbConnection c, IDbTransaction tx, Change change, CancellationToken ct) =>
        SearchIndex.BumpDataVersionAsync(c, tx, change.At, ct);

    public static string Table(string resource) => StoredColumns.Table(resource);

    private static Task<int> RecordAsync(IDbConnection c, IDbTransaction tx, string resource, string id, long version, string action, Change change, string document, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO revisions (seq, resource, resource_id, version, action, actor, at, document, reason)
            VALUES (@Seq, @resource, @id, @version, @action, @Actor, @Stamp, @document, @Reason);
            """,
            new { change.Seq, resource, id, version, action, change.Actor, change.Stamp, document, change.Reason },
            tx,
            cancellationToken: ct));

    private static Task<int> Execute(IDbConnection c, IDbTransaction tx, string sql, object parameters, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(sql, parameters, tx, cancellationToken: ct));
}
