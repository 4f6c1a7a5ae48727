package dev.arbiter.optimizer.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Readiness covers the database and the history root. */
@QuarkusTest
class ReadinessTest {

    @Test
    void readyWithDatabaseAndWritableHistoryRoot() {
        given().when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("history root writable"))
                .body("checks.name", hasItem("Database connections health check"));
    }
}
