using System.Text.Json;
using Dapper;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// Every write to the PostgreSQL store goes through here, inside the caller's write transaction
/// (<see cref="PostgresConnections.BeginWriteAsync"/>, which holds the store's write lock): the row, its tags, entity
/// links, citations and event links, its search rows (<see cref="PostgresSearchIndex"/>), its former ids, and one
/// immutable revision holding the resulting document, the same bytes and timestamps as the SQLite engine's
/// TimelineWriter writes. The seed, imports and the API's writes all use it, so they cannot drift apart.
/// </summary>
public static class PostgresTimelineWriter
{
    /// <summary>Creates the source, or replaces it (restoring it if it was deleted). Returns the new version.</summary>
    public static async Task<long> WriteSourceAsync(NpgsqlConnection c, NpgsqlTransaction tx, ValidSource s, string action, Change change, CancellationToken ct)
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
        await PostgresSearchIndex.RefreshSourceAsync(c, tx, s.Id, ct);
        await PostgresFormerIdWriter.WriteAsync(c, tx, "source", s.Id, s.FormerIds, change, ct);
        await RecordAsync(c, tx, "source", s.Id, version, action, change, Documents.Serialize(Documents.From(s)), ct);
        return version;
    }

    /// <summary>Creates the entity, or replaces it (restoring it if it was deleted). Returns the new version.</summary>
    public static async Task<long> WriteEntityAsync(NpgsqlConnection c, NpgsqlTransaction tx, ValidEntity e, string action, Change change, CancellationToken ct)
    {
        // The events it involves carry its name and aliases in their search rows: they are indexed again when those change.
        const string NamesSql =
            """
            SELECT n.name || COALESCE((SELECT ' ; ' || string_agg(a.alias, ' ; ' ORDER BY a.ordinal)
                                       FROM entity_aliases a WHERE a.entity_id = n.id), '')
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
            new { e.Id, e.Name, e.Kind, e.Country, e.Description, e.Standalone, change.Stamp },
            tx,
            cancellationToken: ct));
        await Execute(c, tx, "DELETE FROM entity_aliases WHERE entity_id = @Id;", new { e.Id }, ct);
        if (e.Aliases.Count > 0)
        {
            await Execute(c, tx,
                "INSERT INTO entity_aliases (entity_id, ordinal, alias) SELECT @Id, a.ordinal - 1, a.alias FROM unnest(@Aliases) WITH ORDINALITY AS a(alias, ordinal);",
                new { e.Id, Aliases = e.Aliases.ToArray() }, ct);
        }

        await PostgresSearchIndex.RefreshEntityAsync(c, tx, e.Id, ct);
        var namesAfter = await c.ExecuteScalarAsync<string?>(new CommandDefinition(NamesSql, new { e.Id }, tx, cancellationToken: ct));
        if (namesBefore is not null && namesBefore != namesAfter)
        {
            await PostgresSearchIndex.RefreshEventsOfEntityAsync(c, tx, e.Id, ct);
        }

        await PostgresFormerIdWriter.WriteAsync(c, tx, "entity", e.Id, e.FormerIds, change, ct);
        await RecordAsync(c, tx, "entity", e.Id, version, action, change, Documents.Serialize(Documents.From(e)), ct);
        return version;
    }

    /// <summary>Creates the event, or replaces it (restoring it if it was deleted). Returns the new version.</summary>
    public static async Task<long> WriteEventAsync(NpgsqlConnection c, NpgsqlTransaction tx, ValidEvent e, string action, Change change, CancellationToken ct)
    {
        var version = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO events (id, date, date_precision, end_date, first_day, last_day, title, summary, category, caveats, tags, refs, created_at, updated_at, version)
            VALUES (@Id, @Date, @Precision, @EndDate, @FirstDay, @LastDay, @Title, @Summary, @Category, @Caveats, @Tags, @Refs, @Stamp, @Stamp, 1)
            ON CONFLICT (id) DO UPDATE SET
                date = excluded.date, date_precision = excluded.date_precision, end_date = excluded.end_date,
                first_day = excluded.first_day, last_day = excluded.last_day, title = excluded.title, summary = excluded.summary,
                category = excluded.category, caveats = excluded.caveats, tags = excluded.tags, refs = excluded.refs, updated_at = excluded.updated_at,
                version = events.version + 1, deleted_at = NULL, deleted_by = NULL
            RETURNING version;
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
                Tags = StoredColumns.Tags(e.Tags),
                Refs = StoredColumns.References(e.References),
                change.Stamp,
            },
            tx,
            cancellationToken: ct));

        // The child rows anew, each list in one statement (unnest keeps the order given: WITH ORDINALITY is 1-based).
        await Execute(c, tx,
            """
            DELETE FROM event_tags WHERE event_id = @Id;
            DELETE FROM event_entities WHERE event_id = @Id;
            DELETE FROM citations WHERE event_id = @Id;
            """,
            new { e.Id }, ct);
        if (e.Tags.Count > 0)
        {
            await Execute(c, tx, "INSERT INTO event_tags (event_id, tag) SELECT @Id, t FROM unnest(@Tags) AS t;", new { e.Id, Tags = e.Tags.ToArray() }, ct);
        }

        if (e.Entities.Count > 0)
        {
            await Execute(c, tx,
                """
                INSERT INTO event_entities (event_id, entity_id, role, ordinal)
                SELECT @Id, l.entity_id, l.role, l.ordinal - 1 FROM unnest(@EntityIds, @Roles) WITH ORDINALITY AS l(entity_id, role, ordinal);
                """,
                new { e.Id, EntityIds = e.Entities.Select(l => l.EntityId).ToArray(), Roles = e.Entities.Select(l => l.Role).ToArray() }, ct);
        }

        if (e.Citations.Count > 0)
        {
            await Execute(c, tx,
                """
                INSERT INTO citations (event_id, ordinal, source_id, quote, start_offset, end_offset)
                SELECT @Id, q.ordinal - 1, q.source_id, q.quote, q.start_offset, q.end_offset
                FROM unnest(@SourceIds, @Quotes, @Starts, @Ends) WITH ORDINALITY AS q(source_id, quote, start_offset, end_offset, ordinal);
                """,
                new
                {
                    e.Id,
                    SourceIds = e.Citations.Select(x => x.SourceId).ToArray(),
                    Quotes = e.Citations.Select(x => x.Quote).ToArray(),
                    Starts = e.Citations.Select(x => x.StartOffset).ToArray(),
                    Ends = e.Citations.Select(x => x.EndOffset).ToArray(),
                },
                ct);
        }

        await PostgresEventLinks.WriteAsync(c, tx, e, ct);
        await PostgresSearchIndex.RefreshEventsAsync(c, tx, [e.Id], ct);
        await PostgresFormerIdWriter.WriteAsync(c, tx, "event", e.Id, e.FormerIds, change, ct);
        await RecordAsync(c, tx, "event", e.Id, version, action, change, Documents.Serialize(Documents.From(e)), ct);
        return version;
    }

    /// <summary>Marks a resource deleted (or restores it), adding a revision with its document as it stands. Returns the new version.</summary>
    public static async Task<long> SetDeletedAsync(NpgsqlConnection c, NpgsqlTransaction tx, string resource, string id, bool deleted, string document, Change change, CancellationToken ct)
    {
        var version = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            $"""
            UPDATE {StoredColumns.Table(resource)}
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
                await PostgresSearchIndex.RefreshEventsAsync(c, tx, [id], ct);
                break;
            case "entity":
                await PostgresSearchIndex.RefreshEntityAsync(c, tx, id, ct);
                break;
            case "source":
                await PostgresSearchIndex.RefreshSourceAsync(c, tx, id, ct);
                break;
        }

        await RecordAsync(c, tx, resource, id, version, deleted ? "delete" : "restore", change, document, ct);
        return version;
    }

    /// <summary>Moves the store's data version forward; once per write transaction (then <see cref="CachedDataVersion.Invalidate"/> after the commit).</summary>
    public static Task<int> TouchAsync(NpgsqlConnection c, NpgsqlTransaction tx, Change change, CancellationToken ct) =>
        DataVersionBump.BumpAsync(c, tx, change.At, ct);

    /// <summary>
    /// Adds the revision. Its seq (the change feed's position) is the identity's next value, taken under the write lock,
    /// so in commit order; a replayed history gives its own seq (the copier then moves the identity past the highest).
    /// </summary>
    private static Task<int> RecordAsync(NpgsqlConnection c, NpgsqlTransaction tx, string resource, string id, long version, string action, Change change, string document, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            change.Seq is null
                ? """
                  INSERT INTO revisions (resource, resource_id, version, action, actor, at, document, reason)
                  VALUES (@resource, @id, @version, @action, @Actor, @Stamp, @document, @Reason);
                  """
                : """
                  INSERT INTO revisions (seq, resource, resource_id, version, action, actor, at, document, reason)
                  VALUES (@Seq, @resource, @id, @version, @action, @Actor, @Stamp, @document, @Reason);
                  """,
            new { change.Seq, resource, id, version, action, change.Actor, change.Stamp, document, change.Reason },
            tx,
            cancellationToken: ct));

    private static Task<int> Execute(NpgsqlConnection c, NpgsqlTransaction tx, string sql, object parameters, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(sql, parameters, tx, cancellationToken: ct));
}
