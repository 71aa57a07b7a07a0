//! Diesel table definitions, shared by the PostgreSQL and SQLite migrations.

diesel::table! {
    users (id) {
        id -> Text,
        name -> Text,
        fullname -> Nullable<Text>,
        email -> Nullable<Text>,
        password_hash -> Text,
        about -> Nullable<Text>,
        image_url -> Nullable<Text>,
        sysadmin -> Bool,
        state -> Text,
        created -> Timestamp,
        last_active -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        created_at -> Timestamp,
        last_access -> Nullable<Timestamp>,
        package_ids -> Nullable<Text>,
        expires -> Nullable<Timestamp>,
    }
}

diesel::table! {
    groups (id) {
        id -> Text,
        name -> Text,
        title -> Text,
        description -> Text,
        image_url -> Text,
        group_type -> Text,
        is_organization -> Bool,
        approval_status -> Text,
        state -> Text,
        created -> Timestamp,
        extras -> Text,
    }
}

diesel::table! {
    members (id) {
        id -> Text,
        group_id -> Text,
        table_name -> Text,
        table_id -> Text,
        capacity -> Text,
        state -> Text,
        created -> Timestamp,
    }
}

diesel::table! {
    changes (seq) {
        seq -> BigInt,
        entity -> Text,
        entity_id -> Text,
        action -> Text,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    site_settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    user_sessions (id) {
        id -> Text,
        user_id -> Text,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (key) {
        key -> Text,
        failures -> Integer,
        window_start -> Timestamp,
    }
}

diesel::joinable!(api_tokens -> users (user_id));
diesel::table! {
    user_identities (issuer, subject) {
        issuer -> Text,
        subject -> Text,
        user_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(user_sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, api_tokens, groups, members, changes, site_settings);
diesel::allow_tables_to_appear_in_same_query!(users, user_sessions);

diesel::table! {
    packages (id) {
        id -> Text,
        name -> Text,
        title -> Nullable<Text>,
        author -> Nullable<Text>,
        author_email -> Nullable<Text>,
        maintainer -> Nullable<Text>,
        maintainer_email -> Nullable<Text>,
        license_id -> Nullable<Text>,
        notes -> Nullable<Text>,
        url -> Nullable<Text>,
        version -> Nullable<Text>,
        state -> Text,
        package_type -> Text,
        owner_org -> Nullable<Text>,
        private -> Bool,
        creator_user_id -> Nullable<Text>,
        metadata_created -> Timestamp,
        metadata_modified -> Timestamp,
        extras -> Text,
        dict_cache -> Nullable<Text>,
    }
}

diesel::table! {
    resources (id) {
        id -> Text,
        package_id -> Text,
        position -> Integer,
        state -> Text,
        url -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        format -> Text,
        hash -> Text,
        mimetype -> Nullable<Text>,
        mimetype_inner -> Nullable<Text>,
        size -> Nullable<BigInt>,
        url_type -> Nullable<Text>,
        resource_type -> Nullable<Text>,
        created -> Timestamp,
        last_modified -> Nullable<Timestamp>,
        metadata_modified -> Timestamp,
        cache_url -> Nullable<Text>,
        cache_last_updated -> Nullable<Timestamp>,
        extras -> Text,
    }
}

diesel::table! {
    tags (id) {
        id -> Text,
        name -> Text,
        vocabulary_id -> Text,
    }
}

diesel::table! {
    package_tags (package_id, tag_id) {
        package_id -> Text,
        tag_id -> Text,
    }
}

diesel::joinable!(package_tags -> tags (tag_id));
diesel::joinable!(package_tags -> packages (package_id));
diesel::joinable!(resources -> packages (package_id));
diesel::allow_tables_to_appear_in_same_query!(packages, resources, tags, package_tags);

diesel::table! {
    activities (id) {
        id -> Text,
        timestamp -> Timestamp,
        user_id -> Text,
        object_id -> Text,
        activity_type -> Text,
        data -> Text,
        permission_labels -> Nullable<Text>,
        owner_org -> Nullable<Text>,
        group_ids -> Text,
    }
}

diesel::table! {
    vocabularies (id) {
        id -> Text,
        name -> Text,
    }
}

diesel::table! {
    package_collaborators (package_id, user_id) {
        package_id -> Text,
        user_id -> Text,
        capacity -> Text,
        modified -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(members, packages);
diesel::allow_tables_to_appear_in_same_query!(members, resources);
diesel::allow_tables_to_appear_in_same_query!(members, package_tags);
diesel::allow_tables_to_appear_in_same_query!(members, tags);

diesel::table! {
    harvest_jobs (id) {
        id -> Text,
        source_id -> Text,
        status -> Text,
        created -> Timestamp,
        gather_started -> Nullable<Timestamp>,
        gather_finished -> Nullable<Timestamp>,
        finished -> Nullable<Timestamp>,
        gather_complete -> Bool,
        added -> Integer,
        updated -> Integer,
        not_modified -> Integer,
        deleted -> Integer,
        errored -> Integer,
        gather_errors -> Text,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    harvest_objects (id) {
        id -> Text,
        guid -> Text,
        job_id -> Text,
        source_id -> Text,
        package_id -> Nullable<Text>,
        current -> Bool,
        state -> Text,
        report_status -> Text,
        content -> Nullable<Text>,
        content_hash -> Nullable<Text>,
        original_url -> Nullable<Text>,
        errors -> Text,
        gathered -> Timestamp,
        import_finished -> Nullable<Timestamp>,
        last_seen_job -> Nullable<Text>,
    }
}

diesel::table! {
    harvest_configs (source_id) {
        source_id -> Text,
        config -> Text,
    }
}

diesel::table! {
    maintenance_notices (id) {
        id -> Text,
        title -> Text,
        reason -> Text,
        services -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        emergency -> Bool,
        state -> Text,
        created_by -> Text,
        created -> Timestamp,
        changed -> Timestamp,
    }
}

diesel::table! {
    datarequests (id) {
        id -> Text,
        user_id -> Text,
        title -> Text,
        description -> Text,
        organization_id -> Nullable<Text>,
        open_time -> Timestamp,
        answer_due -> Text,
        answered_time -> Nullable<Timestamp>,
        closed -> Bool,
        close_time -> Nullable<Timestamp>,
        close_circumstance -> Nullable<Text>,
        refusal_reason -> Nullable<Text>,
        accepted_dataset_id -> Nullable<Text>,
    }
}

diesel::table! {
    datarequest_comments (id) {
        id -> Text,
        datarequest_id -> Text,
        user_id -> Text,
        comment -> Text,
        time -> Timestamp,
    }
}

diesel::table! {
    error_reports (id) {
        id -> Text,
        package_id -> Text,
        user_id -> Text,
        description -> Text,
        state -> Text,
        answer -> Nullable<Text>,
        answered_by -> Nullable<Text>,
        created -> Timestamp,
        answered_time -> Nullable<Timestamp>,
        fixed_time -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        created -> Timestamp,
        next_attempt -> Timestamp,
        attempts -> Integer,
        sent_time -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    access_requests (id) {
        id -> Text,
        user_id -> Text,
        organization_id -> Text,
        package_ids -> Text,
        purpose -> Text,
        legal_basis -> Text,
        state -> Text,
        created -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_time -> Nullable<Timestamp>,
        refusal_reason -> Nullable<Text>,
        issue_due -> Nullable<Text>,
        issued_by -> Nullable<Text>,
        issued_time -> Nullable<Timestamp>,
        expires -> Nullable<Timestamp>,
        token_id -> Nullable<Text>,
    }
}
