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

diesel::allow_tables_to_appear_in_same_query!(
    users,
    api_tokens,
    groups,
    members,
    changes,
    site_settings
);
