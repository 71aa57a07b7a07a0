//! One function per CKAN action: validate → authorise → store → record the change → answer.
//! The HTTP API, the command line and the demo loader all call actions through [`call`].

pub mod access_request;
mod activity;
mod admin;
mod authz;
pub mod compliance_report;
mod context;
pub mod datarequest;
mod dict;
mod error_report;
mod group;
pub mod harvest;
mod identity;
pub mod maintenance;
mod member;
mod package;
mod params;
pub mod quality;
mod retention;
mod search;
mod status;
pub mod summary_report;
mod tag;
mod token;
pub mod typed;
mod user;
mod validate;
mod vocabulary;

use serde_json::Value;

pub use context::{ActionContext, Services};
pub use package::index_dicts;
pub use package::parse_datetime;
pub use params::{Params, Upload, key_holding};
pub use search::{SearchQuery, exact_filter, public_documents};
pub use validate::is_email;

use crate::auth::Caller;
use crate::error::{ActionError, ActionResult};

/// An action's implementation.
pub type ActionFn = fn(&ActionContext, &Params) -> ActionResult<Value>;

/// One entry of the action registry.
pub struct Action {
    /// CKAN's action name.
    pub name: &'static str,
    /// Read-only actions may be called with GET; the others need POST.
    pub side_effect_free: bool,
    /// What `help_show` returns.
    pub help: &'static str,
    pub run: Implementation,
}

/// How an action builds its result: as a value, or (for results too big to build as a
/// `Value` first) by writing its JSON text. Each action has exactly one.
#[derive(Clone, Copy)]
pub enum Implementation {
    Value(ActionFn),
    Json(RenderFn),
}

/// An action's implementation that writes its result as JSON text at the end of `out`.
pub type RenderFn = fn(&ActionContext, &Params, &mut String) -> ActionResult<()>;

const fn read(name: &'static str, run: ActionFn, help: &'static str) -> Action {
    Action { name, side_effect_free: true, help, run: Implementation::Value(run) }
}

const fn write(name: &'static str, run: ActionFn, help: &'static str) -> Action {
    Action { name, side_effect_free: false, help, run: Implementation::Value(run) }
}

const fn read_rendered(name: &'static str, render: RenderFn, help: &'static str) -> Action {
    Action { name, side_effect_free: true, help, run: Implementation::Json(render) }
}

const fn write_rendered(name: &'static str, render: RenderFn, help: &'static str) -> Action {
    Action { name, side_effect_free: false, help, run: Implementation::Json(render) }
}

/// Every action Kho answers. Unknown names get CKAN's "Action name not known".
#[rustfmt::skip]
static ACTIONS: &[Action] = &[
    read("status_show", status::status_show, "Return a dictionary with information about the site's configuration."),
    read("site_read", status::site_read, "Return ``True`` (CKAN 2.10's ``site_read``, kept for old clients)."),
    read("help_show", status::help_show, "Return the help string for a particular API action.\n\n:param name: Action function name (eg `user_create`, `package_search`)\n:type name: string\n:returns: The help string for the action function, or None if the function\n          does not have a docstring.\n:rtype: string"),
    read("license_list", status::license_list, "Return the list of licenses available for datasets on the site.\n\n:rtype: list of dictionaries"),
    read("member_roles_list", status::member_roles_list, "Return the possible roles for members of groups and organizations.\n\n:param group_type: the group type, either ``\"group\"`` or ``\"organization\"`` (optional, default ``\"organization\"``)"),
    write("user_create", user::user_create, "Create a new user.\n\nYou must be authorized to create users.\n\n:param name: the name of the new user, a string between 2 and 100 characters long, containing only lowercase alphanumeric characters, ``-`` and ``_``\n:param email: the email address for the new user\n:param password: the password of the new user, a string of at least 8 characters\n:param fullname: the full name of the new user (optional)\n:param about: a description of the new user (optional)\n:param with_apitoken: whether to create an API token for the user (optional)"),
    read("user_show", user::user_show, "Return a user account.\n\nEither the ``id`` or the ``user_obj`` parameter must be given.\n\n:param id: the id or name of the user (optional)\n:param include_datasets: Include a list of datasets the user has created (optional, default: ``False``)"),
    read("user_list", user::user_list, "Return a list of the site's user accounts.\n\n:param q: filter the users returned to those whose names contain a string (optional)\n:param email: filter the users returned to those whose email match a string (optional) (you must be a sysadmin to use this filter)\n:param order_by: which field to sort the list by (optional, default: ``'display_name'``)\n:param all_fields: return full user dictionaries instead of just names (optional, default: ``True``)"),
    write("user_update", user::user_update, "Update a user account.\n\nNormal users can only update their own user accounts. Sysadmins can update any user account.\n\n:param id: the name or id of the user to update\n:param email: the new email address of the user"),
    write("user_patch", user::user_patch, "Patch a user.\n\nThe difference between the update and patch methods is that the patch will perform an update of the provided parameters, while leaving all other parameters unchanged.\n\n:param id: the id or name of the user"),
    write("user_delete", user::user_delete, "Delete a user.\n\nOnly sysadmins can delete users.\n\n:param id: the id or usernamename of the user to delete"),
    write("api_token_create", token::api_token_create, "Create new API Token for current user.\n\n:param user: name or id of the user for whom token will be created\n:param name: distinctive name for API Token\n:returns: Returns a dict with the key \"token\" containing the encoded token value and \"id\" with the token id."),
    read("api_token_list", token::api_token_list, "Return list of all available API Tokens for the user.\n\n:param user_id: The user ID or name"),
    write("api_token_revoke", token::api_token_revoke, "Delete API Token.\n\n:param token: Token to remove (required if `jti` not specified)\n:param jti: Id of the token to remove (overrides `token` if specified)"),
    write("organization_create", group::organization_create, "Create a new organization.\n\nYou must be authorized to create organizations.\n\n:param name: the name of the organization, a string between 2 and 100 characters long, containing only lowercase alphanumeric characters, ``-`` and ``_``\n:param title: the title of the organization (optional)\n:param description: the description of the organization (optional)\n:param image_url: the URL to an image to be displayed on the organization's page (optional)\n:param extras: the organization's extras (optional), a list of dictionaries each with keys ``'key'`` and ``'value'``\n:param users: the users that belong to the organization, a list of dictionaries each with key ``'name'`` and optionally ``'capacity'``"),
    read("organization_show", group::organization_show, "Return the details of a organization.\n\n:param id: the id or name of the organization\n:param include_datasets: include a truncated list of the org's datasets (optional, default: ``False``)\n:param include_dataset_count: include the full package_count (optional, default: ``True``)\n:param include_users: include the org's users (optional, default: ``True``)\n:param include_extras: include the org's extra fields (optional, default: ``True``)\n:param include_member_count: include the number of users (optional, default: ``False``)"),
    read("organization_list", group::organization_list, "Return a list of the names of the site's organizations.\n\n:param order_by: the field to sort the list by, must be ``'name'`` or ``'packages'`` (optional, default: ``'name'``) Deprecated use sort.\n:param sort: sorting of the search results. Default: \"title asc\"\n:param limit: the maximum number of organizations returned\n:param offset: when ``limit`` is given, the offset to start returning organizations from\n:param organizations: a list of names of the groups to return, if given only groups whose names are in this list will be returned (optional)\n:param all_fields: return group dictionaries instead of just names (optional, default: ``False``)"),
    write("organization_update", group::organization_update, "Update a organization.\n\nYou must be authorized to edit the organization.\n\n:param id: the name or id of the organization to update\n:param users: the users of the organization; when given they replace the current members"),
    write("organization_patch", group::organization_patch, "Patch an organization\n\n:param id: the id or name of the organization"),
    write("organization_delete", group::organization_delete, "Delete an organization.\n\nYou must be authorized to delete the organization and no datasets should belong to the organization.\n\n:param id: the name or id of the organization"),
    write("organization_purge", group::organization_purge, "Purge an organization.\n\n.. warning:: Purging an organization cannot be undone!\n\nPurging an organization completely removes the organization from the CKAN database. Only sysadmins can purge organizations.\n\n:param id: the name or id of the organization to be purged"),
    read("organization_list_for_user", group::organization_list_for_user, "Return the organizations that the user has a given permission for.\n\n:param id: the name or id of the user to get the organization list for (optional, defaults to the currently authorized user (logged in or via API key))\n:param permission: the permission the user has against the returned organizations, for example ``read`` or ``create_dataset`` (optional, default: ``manage_group``)\n:param include_dataset_count: include the package_count in each org (optional, default: ``False``)"),
    write("group_create", group::group_create, "Create a new group.\n\nYou must be authorized to create groups.\n\n:param name: the name of the group, a string between 2 and 100 characters long, containing only lowercase alphanumeric characters, ``-`` and ``_``\n:param title: the title of the group (optional)\n:param description: the description of the group (optional)"),
    read("group_show", group::group_show, "Return the details of a group.\n\n:param id: the id or name of the group\n:param include_datasets: include a truncated list of the group's datasets (optional, default: ``False``)"),
    read("group_list", group::group_list, "Return a list of the names of the site's groups.\n\n:param sort: sorting of the search results. Default: \"title asc\"\n:param limit: the maximum number of groups returned\n:param offset: when ``limit`` is given, the offset to start returning groups from\n:param all_fields: return group dictionaries instead of just names (optional, default: ``False``)"),
    write("group_update", group::group_update, "Update a group.\n\nYou must be authorized to edit the group.\n\n:param id: the name or id of the group to update"),
    write("group_patch", group::group_patch, "Patch a group\n\n:param id: the id or name of the group"),
    write("group_delete", group::group_delete, "Delete a group.\n\nYou must be authorized to delete the group.\n\n:param id: the name or id of the group"),
    write("group_purge", group::group_purge, "Purge a group.\n\n.. warning:: Purging a group cannot be undone!\n\nOnly sysadmins can purge groups.\n\n:param id: the name or id of the group to be purged"),
    read("group_list_authz", group::group_list_authz, "Return the list of groups that the user is authorized to edit.\n\n:param available_only: remove the existing groups in the package (optional, default: ``False``)\n:param am_member: if ``True`` return only the groups the logged-in user is a member of, otherwise return all groups that the user is authorized to edit (optional, default: ``False``)"),
    read("package_autocomplete", search::package_autocomplete, "Return a list of datasets (packages) that match a string.\n\nDatasets with names or titles that contain the query string will be returned.\n\n:param q: the string to search for\n:type q: string\n:param limit: the maximum number of resource formats to return (optional, default: ``10``)\n:type limit: int\n\n:rtype: list of dictionaries"),
    read("tag_autocomplete", search::tag_autocomplete, "Return a list of tag names that contain a given string.\n\nBy default only free tags (tags that don't belong to any vocabulary) are searched.\n\n:param query: the string to search for\n:type query: string\n:param limit: the maximum number of tags to return\n:type limit: int\n\n:rtype: list of strings"),
    read("group_package_show", search::group_package_show, "Return the datasets (packages) of a group.\n\n:param id: the id or name of the group\n:type id: string\n:param limit: the maximum number of datasets to return (optional)\n:type limit: int\n\n:rtype: list of dictionaries"),
    read_rendered("package_search", search::package_search_json, "Searches for packages satisfying a given search criteria.\n\nThis action accepts solr search query parameters (details below), and returns a dictionary of results, including dictized datasets that match the search criteria, a search count and also facet information.\n\n:param q: the solr query.  Optional.  Default: ``\"*:*\"``\n:param fq: any filter queries to apply.\n:param fq_list: additional filter queries to apply.\n:param sort: sorting of the search results.  Optional.  Default: ``'score desc, metadata_modified desc'``.\n:param rows: the maximum number of matching rows (datasets) to return. (optional, default: ``10``, upper limit: ``1000``)\n:param start: the offset in the complete result for where the set of returned datasets should begin.\n:param facet: whether to enable faceted results.  Default: ``True``.\n:param facet.mincount: the minimum counts for facet fields should be included in the results.\n:param facet.limit: the maximum number of values the facet fields return. A negative value means unlimited.\n:param facet.field: the fields to facet upon.  Default empty.\n:param include_private: if ``True``, private datasets will be included in the results.\n:param include_drafts: if ``True``, draft datasets will be included in the results.\n:param include_deleted: if ``True``, deleted datasets will be included in the results (sysadmins only)."),
    read("package_show", package::package_show, "Return the metadata of a dataset (package) and its resources.\n\n:param id: the id or name of the dataset\n:type id: string\n:rtype: dictionary"),
    read("package_list", package::package_list, "Return a list of the names of the site's datasets (packages).\n\n:param limit: if given, the list of datasets will be broken into pages of at most ``limit`` datasets per page and only one page will be returned at a time (optional)\n:param offset: when ``limit`` is given, the offset to start returning packages from\n:rtype: list of strings"),
    read("current_package_list_with_resources", package::current_package_list_with_resources, "Return a list of the site's datasets (packages) and their resources.\n\nThe list is sorted most-recently-modified first.\n\n:param limit: if given, the list of datasets will be broken into pages of at most ``limit`` datasets per page and only one page will be returned at a time (optional)\n:param offset: when ``limit`` is given, the offset to start returning packages from (optional)\n:rtype: list of dictionaries"),
    write_rendered("package_create", package::package_create_json, "Create a new dataset (package).\n\nYou must be authorized to create new datasets. If you specify any groups for the new dataset, you must also be authorized to edit these groups.\n\n:param name: the name of the new dataset, must be between 2 and 100 characters long and contain only lowercase alphanumeric characters, ``-`` and ``_``\n:param title: the title of the dataset (optional, default: same as ``name``)\n:param owner_org: the id of the dataset's owning organization\n:param private: If ``True`` creates a private dataset\n:param tags: the dataset's tags (optional)\n:param extras: the dataset's extras (optional)\n:param resources: the dataset's resources (optional)\n:param groups: the groups to which the dataset belongs (optional)\n:returns: the newly created dataset\n:rtype: dictionary"),
    write("package_update", package::package_update, "Update a dataset (package).\n\nYou must be authorized to edit the dataset and the groups that it belongs to.\n\nIt is recommended to call package_show, make the desired changes to the result, and then call package_update() with it.\n\n:param id: the name or id of the dataset to update\n:returns: the updated dataset\n:rtype: dictionary"),
    write("package_patch", package::package_patch, "Patch a dataset (package).\n\n:param id: the id or name of the dataset\n\nThe difference between the update and patch methods is that the patch will perform an update of the provided parameters, while leaving all other parameters unchanged, whereas the update methods deletes all parameters not explicitly provided in the data_dict."),
    write("package_delete", package::package_delete, "Delete a dataset (package).\n\nThis makes the dataset disappear from all web & API views, apart from the trash.\n\n:param id: the id or name of the dataset to delete"),
    write("dataset_purge", package::dataset_purge, "Purge a dataset.\n\n.. warning:: Purging a dataset cannot be undone!\n\nOnly sysadmins can purge datasets.\n\n:param id: the name or id of the dataset to be purged"),
    write("package_owner_org_update", package::package_owner_org_update, "Update the owning organization of a dataset\n\n:param id: the name or id of the dataset to update\n:param organization_id: the name or id of the owning organization"),
    write("bulk_update_private", package::bulk_update_private, "Make a list of datasets private\n\n:param datasets: list of ids of the datasets to update\n:param org_id: id of the owning organisation"),
    write("bulk_update_public", package::bulk_update_public, "Make a list of datasets public\n\n:param datasets: list of ids of the datasets to update\n:param org_id: id of the owning organisation"),
    write("bulk_update_delete", package::bulk_update_delete, "Make a list of datasets deleted\n\n:param datasets: list of ids of the datasets to update\n:param org_id: id of the owning organisation"),
    write("resource_create", package::resource_create, "Appends a new resource to a datasets list of resources.\n\n:param package_id: id of package that the resource should be added to.\n:param url: url of resource\n:param name: (optional)\n:param format: (optional)\n:returns: the newly created resource\n:rtype: dictionary"),
    read("resource_show", package::resource_show, "Return the metadata of a resource.\n\n:param id: the id of the resource\n:rtype: dictionary"),
    write("resource_update", package::resource_update, "Update a resource.\n\nTo update a resource you must be authorized to update the dataset that the resource belongs to.\n\n:param id: the id of the resource to update\n:returns: the updated resource\n:rtype: string"),
    write("resource_patch", package::resource_patch, "Patch a resource\n\n:param id: the id of the resource"),
    write("resource_delete", package::resource_delete, "Delete a resource from a dataset.\n\n:param id: the id of the resource"),
    write("package_resource_reorder", package::package_resource_reorder, "Reorder resources against datasets.  If only partial resource ids are supplied then these are assumed to be first and the other resources will stay in their original order\n\n:param id: the id or name of the package to update\n:param order: a list of resource ids in the order needed"),
    read("resource_view_list", tag::resource_view_list, "Return the list of resource views for a particular resource.\n\n:param id: the id of the resource"),
    read("tag_list", tag::tag_list, "Return a list of the site's tags.\n\nBy default only free tags (tags that don't belong to a vocabulary) are returned.\n\n:param query: a tag name query to search for, if given only tags whose names contain this string will be returned (optional)\n:param all_fields: return full tag dictionaries instead of just names (optional, default: ``False``)"),
    read("tag_show", tag::tag_show, "Return the details of a tag and all its datasets.\n\n:param id: the name or id of the tag\n:param include_datasets: include a list of the tag's datasets (optional, default: ``False``)"),
    read("package_activity_list", activity::package_activity_list, "Return a package's activity stream (not including detail)\n\n:param id: the id or name of the package\n:param limit: the maximum number of activities to return (optional, default: 31, at most 100)\n:param offset: where to start getting activity items from (optional)\n:param before: only activities before this unix timestamp (optional)\n:param after: only activities after this unix timestamp (optional)\n:param activity_types: only these activity types (optional, a list)\n:param exclude_activity_types: all but these activity types (optional, a list)\n:rtype: list of dictionaries"),
    read("organization_activity_list", activity::organization_activity_list, "Return a organization's activity stream.\n\n:param id: the id or name of the organization\n:param limit: the maximum number of activities to return (optional)\n:param offset: where to start getting activity items from (optional)\n:rtype: list of dictionaries"),
    read("group_activity_list", activity::group_activity_list, "Return a group's activity stream.\n\n:param id: the id or name of the group\n:param limit: the maximum number of activities to return (optional)\n:param offset: where to start getting activity items from (optional)\n:rtype: list of dictionaries"),
    read("user_activity_list", activity::user_activity_list, "Return a user's public activity stream.\n\n:param id: the id or name of the user\n:param limit: the maximum number of activities to return (optional)\n:param offset: where to start getting activity items from (optional)\n:rtype: list of dictionaries"),
    read("recently_changed_packages_activity_list", activity::recently_changed_packages_activity_list, "Return the activity stream of all recently added or changed packages.\n\n:param limit: the maximum number of activities to return (optional)\n:param offset: where to start getting activity items from (optional)\n:rtype: list of dictionaries"),
    read("activity_show", activity::activity_show, "Show details of an item of 'activity' (part of the activity stream).\n\n:param id: the id of the activity\n:param include_data: include the 'data' field, containing a full object dict (otherwise the data field is empty) (optional, default: ``True``)\n:rtype: dictionary"),
    read("activity_data_show", activity::activity_data_show, "Show the data from an item of 'activity' (part of the activity stream).\n\n:param id: the id of the activity\n:param object_type: 'package', 'user', 'group' or 'organization'\n:rtype: dictionary"),
    read("scheming_dataset_schema_list", status::scheming_dataset_schema_list, "Return a list of dataset types that have a schema (ckanext-scheming)."),
    read("scheming_dataset_schema_show", status::scheming_dataset_schema_show, "Return the schema of a dataset type (ckanext-scheming).\n\n:param type: the dataset type\n:param expanded: ignored: presets are already expanded"),
    write("vocabulary_create", vocabulary::vocabulary_create, "Create a new tag vocabulary.\n\nYou must be a sysadmin to create vocabularies.\n\n:param name: the name of the new vocabulary, e.g. ``'Genre'``\n:param tags: the new tags to add to the new vocabulary, for the format of tag dictionaries see ``tag_create()``"),
    read("vocabulary_list", vocabulary::vocabulary_list, "Return a list of all the site's tag vocabularies.\n\n:rtype: list of dictionaries"),
    read("vocabulary_show", vocabulary::vocabulary_show, "Return a single tag vocabulary.\n\n:param id: the id or name of the vocabulary"),
    write("vocabulary_update", vocabulary::vocabulary_update, "Update a tag vocabulary.\n\nYou must be a sysadmin to update vocabularies.\n\n:param id: the id of the vocabulary to update\n:param tags: the tags to add"),
    write("vocabulary_delete", vocabulary::vocabulary_delete, "Delete a tag vocabulary.\n\nYou must be a sysadmin to delete vocabularies.\n\n:param id: the id of the vocabulary"),
    write("package_revise", package::package_revise, "Revise a dataset (package) selectively with match, filter and update parameters.\n\n:param match: a dict containing \"id\" or \"name\" values of the dataset to update, all values provided must match the current dataset values or a ValidationError will be raised\n:param filter: a list of string patterns of fields to remove from the current dataset\n:param update: a dict with values to update/create after filtering\n:param include: a list of string pattern of fields to include in response\n:returns: a dict containing 'package':the updated dataset with fields filtered by include parameter\n:rtype: dictionary"),
    read("format_autocomplete", tag::format_autocomplete, "Return a list of resource formats whose names contain a string.\n\n:param q: the string to search for\n:param limit: the maximum number of resource formats to return (optional, default: ``5``)\n:rtype: list of strings"),
    write("package_collaborator_create", package::package_collaborator_create, "Make a user a collaborator in a dataset.\n\n:param id: the id or name of the dataset\n:param user_id: the id or name of the user to add or edit\n:param capacity: the capacity or role of the membership. Must be one of \"editor\" or \"member\" (or \"admin\" when allowed)"),
    write("package_collaborator_delete", package::package_collaborator_delete, "Remove a collaborator from a dataset.\n\n:param id: the id or name of the dataset\n:param user_id: the id or name of the user to remove"),
    read("package_collaborator_list", package::package_collaborator_list, "Return the list of all collaborators for a given package.\n\n:param id: the id or name of the package\n:param capacity: (optional) If provided, only users with this capacity are returned"),
    read("package_collaborator_list_for_user", package::package_collaborator_list_for_user, "Return a list of all package the user is a collaborator in\n\n:param id: the id or name of the user\n:param capacity: (optional) If provided, only packages where the user has this capacity are returned"),
    read("activity_diff", activity::activity_diff, "Returns a diff of the activity, compared to the previous version of the object\n\n:param id: the id of the activity\n:param object_type: 'package', 'user', 'group' or 'organization'\n:param diff_type: 'unified' (optional, default)"),
    write("member_create", member::member_create, "Make an object (e.g. a user, dataset or group) a member of a group.\n\nIf the object is already a member of the group then the capacity of the membership will be updated.\n\n:param id: the id or name of the group to add the object to\n:param object: the id or name of the object to add\n:param object_type: the type of the object being added, e.g. ``'package'`` or ``'user'``\n:param capacity: the capacity of the membership"),
    write("member_delete", member::member_delete, "Remove an object (e.g. a user, dataset or group) from a group.\n\n:param id: the id or name of the group\n:param object: the id or name of the object to be removed\n:param object_type: the type of the object to be removed, e.g. ``package`` or ``user``"),
    read("member_list", member::member_list, "Return the members of a group.\n\nThe user must have permission to 'get' the group.\n\n:param id: the id or name of the group\n:param object_type: restrict the members returned to those of a given type, e.g. ``'user'`` or ``'package'`` (optional, default: ``None``)\n:param capacity: restrict the members returned to those with a given capacity, e.g. ``'member'``, ``'editor'``, ``'admin'``, ``'public'``, ``'private'`` (optional, default: ``None``)\n:rtype: list of (id, type, capacity) tuples"),
    write("organization_member_create", member::organization_member_create, "Make a user a member of an organization.\n\nYou must be authorized to edit the organization.\n\n:param id: the id or name of the organization\n:param username: name or id of the user to be made member of the organization\n:param role: role of the user in the organization. One of ``member``, ``editor``, or ``admin``"),
    write("organization_member_delete", member::organization_member_delete, "Remove a user from an organization.\n\nYou must be authorized to edit the organization.\n\n:param id: the id or name of the organization\n:param username: name or id of the user to be removed"),
    write("group_member_create", member::group_member_create, "Make a user a member of a group.\n\nYou must be authorized to edit the group.\n\n:param id: the id or name of the group\n:param username: name or id of the user to be made member of the group\n:param role: role of the user in the group. One of ``member``, or ``admin``"),
    write("group_member_delete", member::group_member_delete, "Remove a user from a group.\n\nYou must be authorized to edit the group.\n\n:param id: the id or name of the group\n:param username: name or id of the user to be removed"),
    write("harvest_source_create", harvest::harvest_source_create, "Creates a new harvest source (a dataset of type harvest).\n\n:param url: the URL of the source\n:param name: the source's name\n:param title: the source's title\n:param source_type: ckan, dcat_rdf or api\n:param frequency: MANUAL, ALWAYS, DAILY, WEEKLY, BIWEEKLY or MONTHLY\n:param config: the source type's configuration, a JSON text\n:param owner_org: the organization the harvested datasets belong to\n:returns: the newly created harvest source\n:rtype: dictionary"),
    write("harvest_source_update", harvest::harvest_source_update, "Updates a harvest source (every field; see harvest_source_create)."),
    write("harvest_source_patch", harvest::harvest_source_patch, "Updates the given fields of a harvest source, keeping the others."),
    read("harvest_source_show", harvest::harvest_source_show, "Returns a harvest source by id or name, or by url, with its status (job count, last job, datasets)."),
    read("harvest_source_list", harvest::harvest_source_list, "Lists the active harvest sources (of organization_id when given); return_last_job_status adds each one's status."),
    write("harvest_source_delete", harvest::harvest_source_delete, "Deletes a harvest source; its pending jobs are aborted. With clear=true its harvested datasets are purged too."),
    write("harvest_source_clear", harvest::harvest_source_clear, "Purges every dataset a harvest source harvested, with its jobs and objects; the source stays."),
    write("harvest_source_job_history_clear", harvest::harvest_source_job_history_clear, "Deletes a source's ended jobs and their objects (the links to datasets stay); keep_current keeps the newest job."),
    write("harvest_source_reindex", harvest::harvest_source_reindex, "Indexes a source's datasets again."),
    write("harvest_job_create", harvest::harvest_job_create, "Creates a job for a source (source_id); the scheduler runs it. Refused while the source has an unfinished job."),
    read("harvest_job_list", harvest::harvest_job_list, "Lists a source's jobs (source_id, status), newest first."),
    read("harvest_job_show", harvest::harvest_job_show, "Returns a harvest job with its stats."),
    read("harvest_job_report", harvest::harvest_job_report, "Returns a job's gather errors and its objects' errors."),
    write("harvest_job_abort", harvest::harvest_job_abort, "Aborts a job (by id, or the newest of source_id): it ends Finished and its unfinished objects become ERROR."),
    read("harvest_object_show", harvest::harvest_object_show, "Returns a harvest object by id, or the current object of dataset_id."),
    read("harvest_object_list", harvest::harvest_object_list, "Lists the ids of a job's objects (job_id) or of a source's current objects (source_id)."),
    read("update_compliance_report", compliance_report::update_compliance_report, "The quarterly update compliance report (quarter, e.g. 2026Q3; sysadmins): each department's datasets that owed an update in the quarter by their frequency, and which were updated on time (by 15 days after the next quarter began), late, not updated, or are still pending."),
    write("error_report_create", error_report::error_report_create, "Reports an error in a dataset the caller may read (package_id, description)."),
    read("error_report_list", error_report::error_report_list, "Lists a dataset's error reports, newest first (package_id; open_only leaves out fixed ones); as visible as the dataset."),
    write("error_report_answer", error_report::error_report_answer, "The dataset's department answers an error report (id, answer) and, with fixed=true, marks it fixed."),
    write("access_request_create", access_request::access_request_create, "Asks a department for access to some of its shared datasets (package_ids, of one department; purpose; legal_basis)."),
    read("access_request_show", access_request::access_request_show, "Returns an access request (its requester, the department's members and sysadmins): state, datasets, deadline, and to its requester the connection account's token once issued."),
    read("access_request_list", access_request::access_request_list, "Lists the access requests the caller made or its organisations received (sysadmins: all), newest first; state, organization_id narrow it."),
    write("access_request_approve", access_request::access_request_approve, "The department approves an access request; the operator must issue the connection account within connection_deadline_days working days (issue_due)."),
    write("access_request_refuse", access_request::access_request_refuse, "The department (or a sysadmin) refuses an access request, giving a reason."),
    write("access_request_issue", access_request::access_request_issue, "A sysadmin issues the connection account: an API token that reads only the request's datasets until expires (YYYY-MM-DD)."),
    write("access_request_revoke", access_request::access_request_revoke, "The department or a sysadmin revokes an issued connection account; its token stops working at once."),
    write("access_request_withdraw", access_request::access_request_withdraw, "The requester withdraws an access request not yet issued."),
    read("retention_list", retention::retention_list, "Lists the datasets past their online retention (thoi_han_truc_tuyen, from metadata_created), oldest first: a department's members see its own (organization_id), sysadmins all; {count, results} with online_until."),
    read("quality_show", quality::quality_show, "A dataset's metadata quality (id) along data.europa.eu's MQA dimensions, from Kho's DCAT-AP mapping: {score, max 405, rating, dimensions}."),
    read("organization_quality_show", quality::organization_quality_show, "A department's average metadata quality (id) over the datasets the caller may see, with the number in each rating."),
    read("annual_evaluation_report", quality::annual_evaluation_report, "The annual evaluation per department (year; sysadmins; due 31 December): datasets, quality, and the year's update compliance quarter by quarter."),
    read("quarterly_summary_report", summary_report::quarterly_summary_report, "The operator's quarterly summary for the People's Committee (quarter; sysadmins; due by the 25th of its last month): the previous quarter's update compliance, the catalogue, and the quarter's data requests, access requests, error reports and suspensions."),
    write("datarequest_create", datarequest::datarequest_create, "Creates a data request: asks a department (organization_id) for data not yet published (title, description). The answer is due that working day when sent before 15:00 (the province's time), else the next working day (answer_due)."),
    read("datarequest_show", datarequest::datarequest_show, "Returns a data request with its state (open, answered, fulfilled, refused, closed) and answer deadline."),
    write("datarequest_update", datarequest::datarequest_update, "Changes an open data request (its requester or a sysadmin)."),
    read("datarequest_index", datarequest::datarequest_index, "Lists data requests, newest first: organization_id, user_id, closed, q, sort (asc|desc), offset, limit; answers {count, result, facets}."),
    write("datarequest_delete", datarequest::datarequest_delete, "Deletes a data request (its requester or a sysadmin)."),
    write("datarequest_close", datarequest::datarequest_close, "Closes a data request: with accepted_dataset_id (the department: the dataset that fulfils it), with close_circumstance=refused and refusal_reason (the department refuses), or withdrawn by its requester."),
    write("datarequest_comment", datarequest::datarequest_comment, "Comments on a data request (datarequest_id, comment); the department's first comment answers it."),
    read("datarequest_comment_show", datarequest::datarequest_comment_show, "Returns one comment of a data request (id)."),
    write("datarequest_comment_update", datarequest::datarequest_comment_update, "Changes a comment's text (id, comment): its author or a sysadmin."),
    write("datarequest_comment_delete", datarequest::datarequest_comment_delete, "Deletes a comment (id): its author or a sysadmin."),
    read("datarequest_comment_list", datarequest::datarequest_comment_list, "Lists a data request's comments (datarequest_id), oldest first (sort=desc: newest)."),
    write("maintenance_notice_create", maintenance::maintenance_notice_create, "Announces a suspension of data or services (sysadmins: the operator).\n\n:param title: what is suspended\n:param reason: why\n:param services: the data or services affected (a list, or text separated by commas)\n:param starts_at: the start, YYYY-MM-DDTHH:MM in the province's time (or with Z / an offset)\n:param ends_at: the expected end\n:param emergency: an emergency repair (otherwise the start must be at least 7 working days away)\n:rtype: dictionary"),
    read("maintenance_notice_list", maintenance::maintenance_notice_list, "Lists the maintenance notices not yet over, soonest first (all=true: every notice, for sysadmins)."),
    read("maintenance_notice_show", maintenance::maintenance_notice_show, "Returns a maintenance notice."),
    write("maintenance_notice_delete", maintenance::maintenance_notice_delete, "Cancels a maintenance notice (it stays, marked cancelled)."),
    read("harvesters_info_show", harvest::harvesters_info_show, "Lists the source types Kho can harvest."),
];

/// Returns the action registered under `name`.
pub fn find(name: &str) -> Option<&'static Action> {
    ACTIONS.iter().find(|action| action.name == name)
}

/// Returns every registered action name.
pub fn names() -> impl Iterator<Item = &'static str> {
    ACTIONS.iter().map(|action| action.name)
}

/// Runs an action as `caller`. A token of a deleted user fails every check, as in CKAN.
pub fn call(services: &Services, caller: Caller, action: &Action, params: &Params) -> ActionResult<Value> {
    match call_for_json(services, caller, action, params, ("", ""))? {
        Answer::Value(value) => Ok(value),
        Answer::Json(text) => serde_json::from_str(&text).map_err(|e| ActionError::Internal(e.into())),
    }
}

/// The door every call passes, JSON or typed: a disabled account's token fails every check
/// (as in CKAN), and text no store can keep is refused before any action sees it.
pub(crate) fn admit(caller: &Caller, params: &Params) -> ActionResult<()> {
    if caller.is_disabled() {
        return Err(ActionError::Authorization(None));
    }
    params.check_text()
}

/// An action's result: a value, or the whole response body written by the action itself.
pub enum Answer {
    Value(Value),
    Json(String),
}

/// Runs an action as `caller`, letting it write its JSON itself when that is how it builds
/// its result: then the answer is `prefix`, the result and `suffix`, in one buffer.
pub fn call_for_json(
    services: &Services,
    caller: Caller,
    action: &Action,
    params: &Params,
    (prefix, suffix): (&str, &str),
) -> ActionResult<Answer> {
    admit(&caller, params)?;
    let context = ActionContext { services, caller };
    match action.run {
        Implementation::Value(run) => run(&context, params).map(Answer::Value),
        Implementation::Json(render) => {
            let mut body = String::from(prefix);
            render(&context, params, &mut body)?;
            body.push_str(suffix);
            Ok(Answer::Json(body))
        }
    }
}

/// Runs the action named `name` (the command line and demo loader use this).
pub fn call_by_name(services: &Services, caller: Caller, name: &str, params: Value) -> ActionResult<Value> {
    let action = find(name).ok_or_else(|| ActionError::Internal(anyhow::anyhow!("unknown action {name}")))?;
    let params = Params::from_value(params)?;
    call(services, caller, action, &params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_are_unique_and_write_actions_need_post() {
        let mut seen = std::collections::HashSet::new();
        for action in ACTIONS {
            assert!(seen.insert(action.name), "{} twice", action.name);
            let writes = [
                "create", "update", "patch", "delete", "purge", "revoke", "reorder", "private", "public", "revise",
                "clear", "reindex", "abort", "close", "comment", "answer", "approve", "refuse", "issue", "withdraw",
            ];
            let looks_like_write = writes.iter().any(|w| action.name.ends_with(w));
            assert_eq!(!looks_like_write, action.side_effect_free, "{}", action.name);
        }
    }
}
