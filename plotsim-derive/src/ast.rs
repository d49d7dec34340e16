//! The derive input as plotsim sees it: a struct with named fields, its
//! struct attributes and each field's role.

use quote::ToTokens;
use syn::ext::IdentExt;

use crate::attr::{ContainerAttrs, Role, role};
use crate::ctxt::Ctxt;

/// A struct the derive accepts.
pub(crate) struct Container<'a> {
    pub(crate) ident: &'a syn::Ident,
    pub(crate) attrs: ContainerAttrs,
    pub(crate) fields: Vec<Field<'a>>,
    /// The first line of the struct's doc comment (the config's `about`).
    pub(crate) doc: Option<String>,
}

/// One field and its role (`None` when its attributes were wrong).
pub(crate) struct Field<'a> {
    pub(crate) ident: &'a syn::Ident,
    pub(crate) ty: &'a syn::Type,
    pub(crate) role: Option<Role>,
    /// The field was given two roles (reported; the first one is kept).
    pub(crate) conflict: bool,
}

impl Field<'_> {
    /// The field's name without a raw-identifier prefix (the metric name).
    pub(crate) fn name(&self) -> String {
        self.ident.unraw().to_string()
    }
}

impl<'a> Container<'a> {
    /// The container, or `None` (with an error) for enums, unions, tuple
    /// and unit structs.
    pub(crate) fn from_ast(cx: &Ctxt, input: &'a syn::DeriveInput) -> Option<Self> {
        let attrs = ContainerAttrs::from_ast(cx, &input.attrs);
        if !input.generics.params.is_empty() {
            cx.error_spanned_by(
                &input.generics,
                "`plotsim::Generator` cannot be derived for a generic struct; its rows have fixed field types",
            );
        }
        let named = match &input.data {
            syn::Data::Struct(s) => match &s.fields {
                syn::Fields::Named(named) => named,
                syn::Fields::Unnamed(f) => {
                    cx.error_spanned_by(
                        f,
                        "`plotsim::Generator` needs a struct with named fields (one per column); found a tuple struct",
                    );
                    return None;
                }
                syn::Fields::Unit => {
                    cx.error_spanned_by(
                        &input.ident,
                        "`plotsim::Generator` needs a struct with named fields (one per column); found a unit struct",
                    );
                    return None;
                }
            },
            syn::Data::Enum(e) => {
                cx.error_spanned_by(
                    e.enum_token.into_token_stream(),
                    "`plotsim::Generator` can only be derived for a struct with named fields (one row of the panel); found an enum",
                );
                return None;
            }
            syn::Data::Union(u) => {
                cx.error_spanned_by(
                    u.union_token.into_token_stream(),
                    "`plotsim::Generator` can only be derived for a struct with named fields; found a union",
                );
                return None;
            }
        };
        let fields = named
            .named
            .iter()
            .filter_map(|f| {
                let (role, conflict) = role(cx, f);
                Some(Field {
                    ident: f.ident.as_ref()?,
                    ty: &f.ty,
                    role,
                    conflict,
                })
            })
            .collect();
        Some(Container {
            ident: &input.ident,
            attrs,
            fields,
            doc: doc_line(&input.attrs),
        })
    }
}

/// The first non-empty line of the doc comment.
fn doc_line(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| {
        let syn::Meta::NameValue(nv) = &a.meta else {
            return None;
        };
        if !nv.path.is_ident("doc") {
            return None;
        }
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) = &nv.value
        else {
            return None;
        };
        let text = s.value();
        let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
        Some(line.trim_start_matches('*').trim().to_owned()).filter(|l| !l.is_empty())
    })
}
