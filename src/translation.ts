/*
 * The translation domain of the extension's strings (the gettext domain of its catalogs).
 */

/**
 * What every `translator.load(...)` of this extension is given.
 */
export const TRANSLATION_DOMAIN = 'jupyterlab_claude';
