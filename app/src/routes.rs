//! The page routes the portal serves, in one list: navigation and the route tests read it, so a
//! page added to the router without being listed here fails a test.
pub struct PageRoute {
    pub path: &'static str,
    pub label: &'static str,
    pub in_nav: bool,
}

pub const PAGES: &[PageRoute] = &[
    PageRoute {
        path: "/",
        label: "Dashboard",
        in_nav: true,
    },
    PageRoute {
        path: "/alerts",
        label: "Alerts",
        in_nav: true,
    },
    PageRoute {
        path: "/sites",
        label: "Sites",
        in_nav: true,
    },
    PageRoute {
        path: "/consumption",
        label: "Consumption",
        in_nav: true,
    },
    PageRoute {
        path: "/analysis",
        label: "Analysis",
        in_nav: true,
    },
    PageRoute {
        path: "/export",
        label: "Download half-hourly data",
        in_nav: false,
    },
    PageRoute {
        path: "/invoices",
        label: "Invoices",
        in_nav: true,
    },
    PageRoute {
        path: "/bill-validation",
        label: "Bill validation",
        in_nav: true,
    },
    PageRoute {
        path: "/queries",
        label: "Queries",
        in_nav: true,
    },
    PageRoute {
        path: "/contracts",
        label: "Contracts",
        in_nav: true,
    },
    PageRoute {
        path: "/customers",
        label: "Customers",
        in_nav: true,
    },
    PageRoute {
        path: "/admin",
        label: "Admin",
        in_nav: true,
    },
    // Staff only (account managers and operations admins): the navigation shows it to them alone.
    PageRoute {
        path: "/admin/imports",
        label: "Imports",
        in_nav: true,
    },
    PageRoute {
        path: "/account",
        label: "Your account",
        in_nav: false,
    },
    PageRoute {
        path: "/login",
        label: "Sign in",
        in_nav: false,
    },
    PageRoute {
        path: "/login/mfa",
        label: "Confirm it is you",
        in_nav: false,
    },
    PageRoute {
        path: "/login/enrol",
        label: "Set up your authenticator app",
        in_nav: false,
    },
    PageRoute {
        path: "/login/recovery-codes",
        label: "Your recovery codes",
        in_nav: false,
    },
    PageRoute {
        path: "/password",
        label: "Choose your password",
        in_nav: false,
    },
    PageRoute {
        path: "/login/forgot",
        label: "Forgot your password?",
        in_nav: false,
    },
    PageRoute {
        path: "/welcome",
        label: "Accept your invitation",
        in_nav: false,
    },
    PageRoute {
        path: "/reset-password",
        label: "Choose a new password",
        in_nav: false,
    },
];
